"""Configs round-trip through URL query parameters; bad values fall back to defaults with a message."""
from dataclasses import dataclass

import dataclasses
import pytest

from playground.errors import ConfigError
from playground.state import check, choice, flag, from_params, number, text, to_params


@dataclass(frozen=True)
class Demo:
    cell: str = choice("rnn", ["rnn", "lstm", "gru"])
    hidden: int = number(8, 1, 64)
    lr: float = number(0.01, 1e-5, 10.0)
    clip: bool = flag(True)
    review: str = text("good movie", 50)

    def __post_init__(self):
        if self.cell == "gru" and self.hidden == 13:
            raise ConfigError("GRU with 13 units is unlucky.")


def test_roundtrip_of_non_defaults():
    cfg = Demo(cell="lstm", hidden=32, lr=0.003, clip=False, review="not bad & <b>")
    params = to_params(cfg)
    assert all(isinstance(v, str) for v in params.values())
    assert from_params(Demo, params) == (cfg, [])


def test_float_survives_exactly():
    cfg = Demo(lr=0.1 + 0.2)
    assert from_params(Demo, to_params(cfg))[0].lr == cfg.lr


def test_a_text_setting_takes_its_limit_and_not_one_character_more():
    assert from_params(Demo, {"review": "x" * 50}) == (Demo(review="x" * 50), [])
    cfg, messages = from_params(Demo, {"review": "x" * 51})
    assert cfg.review == Demo().review and len(messages) == 1 and "review" in messages[0]


@pytest.mark.parametrize("key,raw", [("cell", "cnn"), ("hidden", "1e9"), ("hidden", "3.5"), ("lr", "nan"),
                                     ("lr", "inf"), ("clip", "maybe"), ("review", "x" * 51), ("hidden", "")])
def test_bad_values_fall_back_with_message(key, raw):
    cfg, messages = from_params(Demo, {key: raw, "cell": "gru"} if key != "cell" else {key: raw})
    assert getattr(cfg, key) == getattr(Demo(), key)
    assert len(messages) == 1 and key in messages[0]


def test_unknown_keys_ignored():
    assert from_params(Demo, {"utm_source": "x"}) == (Demo(), [])


def test_cross_field_error_gives_defaults():
    cfg, messages = from_params(Demo, {"cell": "gru", "hidden": "13"})
    assert cfg == Demo() and "unlucky" in messages[0]


def test_check_reports_out_of_range():
    assert check(Demo()) == []
    assert check(Demo(hidden=0)) == ["hidden must be between 1 and 64"]


def test_widget_ranges_are_read_from_the_config_declarations():
    from playground.views.gates import GatesConfig
    from playground.training.live import LiveConfig
    from playground.state import limits, options
    from playground.training.trainer import LEARNING_RATES

    assert limits(GatesConfig, "T") == {"min_value": 2, "max_value": 201}
    assert limits(LiveConfig, "clip_norm") == {"min_value": 0.1, "max_value": 10.0}
    assert options(LiveConfig, "lr") == list(LEARNING_RATES)
    # every bound a page can offer is one the URL accepts: the ends round-trip through the link
    for cls, name in [(GatesConfig, "race_steps"), (LiveConfig, "seed"), (GatesConfig, "memory_bias")]:
        for end in limits(cls, name).values():
            cfg, messages = from_params(cls, {name: str(end)})
            assert getattr(cfg, name) == end and messages == []


def test_a_text_check_drops_that_value_alone():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Numbers:
        hidden: int = number(8, 1, 64)
        values: str = text("1,2", 20, check=lambda v: None if v.replace(",", "").isdigit() else "not digits")

    cfg, messages = from_params(Numbers, {"hidden": "5", "values": "1,x"})
    assert cfg == Numbers(hidden=5) and len(messages) == 1 and "not digits" in messages[0]
    assert check(Numbers(values="a")) == ["not digits"]


def test_a_cut_text_keeps_its_first_part_and_says_so():
    @dataclasses.dataclass(frozen=True)
    class Box:
        review: str = text("good movie", 10, cut=True)
        other: str = text("x", 10)

    cfg, messages = from_params(Box, {"review": "0123456789abc", "other": "0123456789abc"})
    assert cfg.review == "0123456789" and cfg.other == "x"  # cut to its limit / refused, as declared
    assert len(messages) == 2 and "13 characters; the first 10 are kept" in messages[0]


def test_a_word_number_out_of_range_is_explained_as_the_slider_counts():
    """The slider counts words from 1; 0 in a link means the last word: the message says both (it said '0 and 200')."""
    from playground.views.review import CAP, ReviewConfig

    cfg, messages = from_params(ReviewConfig, {"step": "500"})
    assert cfg.step == 0 and len(messages) == 1
    assert f"step must be a word from 1 to {CAP}, or 0 for the last word" in messages[0], messages
