"""Train live's weights file: the round trip is bit for bit; a hostile, huge, truncated, foreign or broken file is
refused with its reason before any code in it runs or any model is built."""
import io
import os
import pickle
import tomllib
import zipfile
from pathlib import Path

import pytest
import torch

from playground.training import live_config
from playground.training import live
from playground.training import weights_file as wf
from playground.lesson.cells import load_model
from playground.errors import InputError
from playground.training.trainer import TrainConfig, Trainer

ROOT = Path(__file__).resolve().parents[2]
SMALL = dict(hidden=6, batch_size=8, held_out=32)


def _params(trainer):
    return [p.detach().clone() for p in trainer.model.parameters()]


def _bits(trainer) -> list[torch.Tensor]:
    """Every parameter as its raw 32-bit patterns: equal lists mean bit-for-bit equal weights (0.0 vs -0.0
    and NaN payloads included)."""
    return [p.detach().view(torch.int32).clone() for p in trainer.model.parameters()]


class Payload:
    """Unpickling this object runs os.system: it creates `marker`. A safe loader must never do that."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch '{self.marker}'",)


def _torch_file(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _with_payload(marker: Path) -> bytes:
    """A real exported file whose extras also hold the payload: everything else about it is genuine."""
    blob = torch.load(io.BytesIO(wf.export_weights(Trainer(TrainConfig(task="parity", length=4, **SMALL)))),
                      weights_only=True)
    blob["extra"]["note"] = Payload(marker)
    return _torch_file(blob)


def _tampered(t: Trainer, **changes) -> bytes:
    """An exported file edited by hand: its saved settings and/or model config changed."""
    blob = torch.load(io.BytesIO(wf.export_weights(t)), weights_only=True)
    for key, value in changes.items():
        target = blob["config"] if key in blob["config"] else blob["extra"]["train_config"]
        target[key] = value
    return _torch_file(blob)


def test_a_downloaded_model_loads_back_bit_for_bit():
    t = Trainer(TrainConfig(task="recall", length=2, cell="gru", **SMALL))
    t.train(10)
    data = wf.export_weights(t)
    back = wf.import_weights(data)
    assert back.cfg == t.cfg and back.step == 10
    assert all(torch.equal(a, b) for a, b in zip(_bits(t), _bits(back)))
    assert back.evaluate() == t.evaluate()
    assert wf.export_weights(back) == data  # saved again: the very same bytes
    model, extra = load_model(io.BytesIO(data))  # the package's own loader reads it too
    assert model.config == t.model.config and extra["train_config"]["task"] == "recall"
    assert back.train(3).steps == 3


@pytest.mark.parametrize("cell,task", [("rnn", "parity"), ("lstm", "adding"), ("gru", "text")])
def test_the_page_download_continues_in_another_session_bit_for_bit(cell, task):
    s = live.LiveSession(live.LiveConfig(task=task, cell=cell, hidden=8, batch_size=8, steps_per_tick=5,
                                         **live_config.task_defaults(task)))
    s.step_once()
    other = live.LiveSession(live.LiveConfig(hidden=4))
    cfg = other.load(s.weights_file())
    assert cfg.train_config() == s.cfg.train_config() and other.step == s.step == 5
    assert all(torch.equal(a, b) for a, b in zip(_bits(s.trainer), _bits(other.trainer)))
    assert other.view().h.tobytes() == s.view().h.tobytes()  # the same h_t on the probe, to the bit


@pytest.mark.parametrize("junk", [b"", b"not a model", b"<html>" * 100])
def test_anything_else_is_a_student_message(junk):
    with pytest.raises(InputError, match="not a weights file"):
        wf.import_weights(junk)


def test_the_payload_is_live_so_the_refusals_below_prove_something(tmp_path):
    pickle.loads(pickle.dumps(Payload(tmp_path / "plain")))
    torch.load(io.BytesIO(_with_payload(tmp_path / "torch")), weights_only=False)
    assert (tmp_path / "plain").exists() and (tmp_path / "torch").exists()


def test_a_malicious_pickle_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(InputError, match="not a weights file"):
        wf.import_weights(pickle.dumps(Payload(marker)))  # a bare pickle: not even opened
    with pytest.raises(InputError, match="could run code"):
        wf.import_weights(_with_payload(marker))  # hidden inside a genuine file
    assert not marker.exists()


def test_a_huge_file_is_refused_before_it_is_unpacked(monkeypatch):
    opened = []
    monkeypatch.setattr(wf.torch, "load", lambda *a, **k: opened.append(a) or 1 / 0)
    huge = _torch_file({"W_hh": torch.zeros(1000, 1000)})  # 4 MB of weights
    with pytest.raises(InputError, match=r"4\.0 MB; a Train live weights file is at most 1 MB"):
        wf.import_weights(huge)
    assert opened == []


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    opened = []
    monkeypatch.setattr(wf.torch, "load", lambda *a, **k: opened.append(a) or 1 / 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data/0", b"\0" * 50_000_000)  # 50 MB that packs into ~50 kB
    assert len(buf.getvalue()) < wf.MAX_FILE_BYTES
    with pytest.raises(InputError, match="not a weights file"):
        wf.import_weights(buf.getvalue())
    assert opened == []


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_a_truncated_file_is_refused(keep):
    data = wf.export_weights(Trainer(TrainConfig(task="parity", length=4, **SMALL)))
    with pytest.raises(InputError, match="incomplete or damaged|not a weights file"):
        wf.import_weights(data[: int(len(data) * keep)])


def test_a_hand_edited_file_is_refused_before_any_model_is_built(monkeypatch):
    t = Trainer(TrainConfig(task="parity", length=4, **SMALL))
    built = []
    monkeypatch.setattr(wf, "trainer_from", lambda *a, **k: built.append(a) or 1 / 0)
    with pytest.raises(InputError, match="refused: The hidden size must be between 1 and 64"):
        wf.import_weights(_tampered(t, hidden=4096))  # the saved settings ask for a huge model
    with pytest.raises(InputError, match="do not match"):
        wf.import_weights(_tampered(t, hidden_size=4096))  # the model config alone does
    with pytest.raises(InputError, match="refused: hidden = 6.5 is not a whole number"):
        wf.import_weights(_tampered(t, hidden=6.5))
    with pytest.raises(InputError, match="refused: The seed must be"):
        wf.import_weights(_tampered(t, seed=2**70))
    assert built == []


def _with_state(t: Trainer, **state) -> bytes:
    blob = torch.load(io.BytesIO(wf.export_weights(t)), weights_only=True)
    blob["state_dict"].update(state)
    return _torch_file(blob)


def test_weights_of_another_architecture_are_refused():
    rnn = Trainer(TrainConfig(task="parity", length=4, **SMALL))
    lstm = Trainer(TrainConfig(task="parity", length=4, cell="lstm", **SMALL))
    blob = torch.load(io.BytesIO(wf.export_weights(rnn)), weights_only=True)
    blob["state_dict"] = lstm.model.state_dict()  # an LSTM's weights under an RNN's settings
    for data in (_torch_file(blob), _with_state(rnn, W_hh=torch.zeros(7, 7)),
                 _with_state(rnn, W_hh=torch.zeros(6, 6, dtype=torch.float64)), _with_state(rnn, extra=torch.ones(1))):
        with pytest.raises(InputError, match="do not match the settings saved with them"):
            wf.import_weights(data)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_weights_are_refused(bad):
    t = Trainer(TrainConfig(task="parity", length=4, **SMALL))
    W = t.model.W_hh.detach().clone()
    W[2, 3] = bad
    with pytest.raises(InputError, match="NaN or infinite"):
        wf.import_weights(_with_state(t, W_hh=W))


def test_settings_outside_the_page_are_refused_and_change_nothing():
    s = live.LiveSession(live.LiveConfig(hidden=4))
    before = s.trainer
    odd = Trainer(TrainConfig(task="parity", length=4, hidden=6, held_out=64))
    with pytest.raises(InputError, match="held-out set has 64 sequences instead of 512"):
        s.load(wf.export_weights(odd))
    with pytest.raises(InputError, match="seed must be between 0 and 9999"):
        s.load(_tampered(Trainer(TrainConfig(task="parity", length=4, hidden=6)), seed=123_456))
    assert s.trainer is before and s.cfg.hidden == 4


def test_the_upload_limit_fits_the_largest_model_the_page_can_train():
    """The server's upload limit (MB) lets the largest file through and nothing much bigger than the loader's cap."""
    limit_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    text = "".join(chr(0x3b1 + i) for i in range(60)) * 50  # more characters than the text task's vocabulary keeps
    biggest = max(len(wf.export_weights(Trainer(TrainConfig(task=task, text=text if task == "text" else "",
                                                            length=64, cell=cell, hidden=64))))
                  for task in ("text", "adding") for cell in ("lstm", "gru"))
    assert biggest <= wf.MAX_FILE_BYTES / 5 and wf.MAX_FILE_BYTES <= limit_mb * 2**20 <= 4 * wf.MAX_FILE_BYTES
