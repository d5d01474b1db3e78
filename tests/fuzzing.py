"""What the fuzz tests feed the package, and the contract every case must keep: a valid result, or the package's
own PlaygroundError with a message a student can read. Any other exception fails the test."""
from __future__ import annotations

import json
import math
from collections import Counter

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
import numpy as np

from playground.figures import fastfig
from playground.errors import PlaygroundError

LONG = 200_000  # characters in the longest strings
MAX_MESSAGE = 600  # characters: a message longer than a short paragraph is not read
NASTY = ("\u0301\u0308\u20dd"  # combining marks
         "\u202e\u202d\u200f\u061c\u0627\u0644\u05d0"  # right-to-left marks and letters
         "\u200b\u200c\u200d\u2060\ufeff"  # zero-width
         "\x00\x07\x1b\x7f\r\n\t \u00a0\u2028\u2029\u3000"  # NUL, controls, odd spaces
         "😀👍🏽👨‍👩‍👧🏳️‍🌈\U000e0067"  # emoji, ZWJ sequences, a tag character
         "\ud800\udfff"  # lone surrogates
         "ǅßİﬁΣς٣１"  # case and digit oddities (İ lower-cases to two characters)
         "\"'`()[]{}<>&;%.,-–—…/\\_*#|" "abcnt ")
NUMBER_WORDS = ["nan", "NaN", "inf", "-inf", "1e309", "-1e309", "1e308", "-0", "0", "0.0", "0x10", "1_000",
                "１２", "٣", " 7 ", "7.", ".5", "5e-324", "True", "yes", "", "-1", "9" * 40, "1/2", "10**6"]


def texts(max_size: int = 80) -> st.SearchStrategy[str]:
    """Any unicode (surrogates included), strings of the nasty characters above, and 200 kB strings."""
    nasty = st.text(alphabet=st.sampled_from(NASTY), max_size=max_size)
    anything = st.text(alphabet=st.characters(blacklist_categories=()), max_size=max_size)
    huge = st.builds(lambda s: (s * (LONG // len(s) + 1))[:LONG], st.text(alphabet=st.sampled_from(NASTY), min_size=1,
                                                                         max_size=12))
    pick = st.integers(0, 9)  # one case in ten is a 200 kB string (they cost the most), one in ten is empty
    return pick.flatmap(lambda i: huge if i == 0 else st.just("") if i == 1 else nasty if i % 2 else anything)


def short_texts(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.one_of(st.text(alphabet=st.sampled_from(NASTY), max_size=max_size),
                     st.text(alphabet=st.characters(blacklist_categories=()), max_size=max_size))


def numbers(valid: st.SearchStrategy | None = None) -> st.SearchStrategy:
    """Ints (negative, huge) and floats (NaN, inf, subnormal); with `valid`, three cases in four are drawn from it,
    so that a call taking several numbers is often given all-valid ones and reaches past its checks."""
    odd = st.one_of(st.integers(), st.integers(-3, 300), st.floats(), st.sampled_from([0, 1, -1, 2**63, 10**30]))
    return odd if valid is None else st.one_of(valid, valid, valid, odd)


def number_texts() -> st.SearchStrategy[str]:
    """What a hand-edited link may hold where a number belongs."""
    return st.one_of(st.sampled_from(NUMBER_WORDS), st.integers().map(str), st.floats().map(repr), short_texts())


def names(known) -> st.SearchStrategy[str]:
    """A registry's own names (half the cases), and unknown ones."""
    return st.one_of(st.sampled_from(list(known)),
                     st.one_of(short_texts(12), st.sampled_from(["", "RNN", "../etc", "None"])))


def plain_data() -> st.SearchStrategy:
    """JSON-like values of every type, as a hand-edited file could hold."""
    leaf = st.one_of(st.none(), st.booleans(), numbers(), short_texts(20), st.binary(max_size=8))
    return st.recursive(leaf, lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                     st.dictionaries(short_texts(6), kids, max_size=3)), max_leaves=6)


ODD_FLOATS = st.one_of(st.floats(width=64), st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, 1e-30, 1e30]))


def arrays(dims: int = 1, max_side: int = 6, long: int = 0) -> st.SearchStrategy[np.ndarray]:
    """Float arrays of `dims` dimensions: empty, length 1, NaN/inf, huge and subnormal values; `long` adds one
    side of that length now and then."""
    side = st.integers(0, max_side) if not long else st.one_of(st.integers(0, max_side), st.just(long))
    return hnp.arrays(np.float64, st.tuples(*[side] * dims), elements=ODD_FLOATS)


def student_message(msg: str) -> None:
    """A message for a student: some words, short, no traceback, no Python object dump."""
    assert msg.strip(), "an empty message"
    assert len(msg) <= MAX_MESSAGE, f"a message of {len(msg)} characters: {msg[:200]!r}…"
    assert "Traceback" not in msg and "object at 0x" not in msg, msg


REACHED: dict[str, Counter] = {}  # function name -> {"accepted": n, "refused": n} over the generated cases


def outcome(fn, *args, **kwargs):
    """fn's result, or None when it refused with a PlaygroundError whose message is fit for a student. Each call is
    counted in REACHED, so that a test can tell whether the generated cases reach past the checks."""
    counts = REACHED.setdefault(getattr(fn, "__qualname__", repr(fn)), Counter())
    try:
        result = fn(*args, **kwargs)
    except PlaygroundError as e:
        student_message(str(e))
        counts["refused"] += 1
        return None
    counts["accepted"] += 1
    return result


def reached(names, at_least: float) -> str:
    """Assert that each named function accepted at least this share of the cases it was given (a builder that
    refused everything would pass the fuzz tests otherwise); returns the figures, one line each, for the log."""
    lines = []
    for name in names:
        c = REACHED.get(name, Counter())
        total = c["accepted"] + c["refused"]
        assert total, f"{name} was never called: run the whole module"
        share = c["accepted"] / total
        lines.append(f"{name}: {c['accepted']} of {total} generated cases accepted ({share:.0%})")
        assert share >= at_least, lines[-1]
    return "\n".join(lines)


def strict_json(fig) -> dict:
    """The figure as the browser gets it: strict JSON (NaN or Infinity would break plotly.js)."""
    def refuse(token):
        raise AssertionError(f"figure JSON holds {token}")
    sent = fig.json if isinstance(fig, fastfig.Spec) else fig.to_json()  # the live figures send their own JSON
    return json.loads(sent, parse_constant=refuse)


def finite_or_none(values) -> bool:
    return all(v is None or (isinstance(v, (int, float)) and math.isfinite(v)) for v in values)
