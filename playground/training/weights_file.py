"""Train live's weights file: export a run, and read an uploaded file back without trusting it.

The file is what `torch.save` writes (a zip archive holding a pickle and the raw tensors), so cells.load_model
reads it too. An upload is checked in the order that costs least: its size, that it is an uncompressed zip of
bounded size (no zip bomb), then `torch.load(weights_only=True)`, whose unpickler builds only tensors and plain
data and never calls code a file names; then the saved settings (TrainConfig's limits and types) and the tensors'
names, shapes, dtype and finiteness against the model those settings describe. Only then is a model built, so a
hand-made file can neither run code nor ask the server for a large model.
"""
from __future__ import annotations

import dataclasses
import io
import pickle
import typing
import zipfile
from dataclasses import asdict, dataclass

import torch

from playground.lesson.cells import ModelConfig, RecurrentModel, save_model
from playground.errors import InputError, PlaygroundError
from playground.training.trainer import TrainConfig, Trainer, model_config

FILE_KIND = "rnn-playground/train-live"
MAX_FILE_BYTES = 1_000_000  # the largest model the page can train saves in about a fifth of this (tested)
MAX_STEP = 10**9
NOT_OURS = "This file is not a weights file saved by the Train live page: download one with “Weights + settings”."


@dataclass(frozen=True)
class WeightsFile:
    """A checked upload: the settings it was trained with, its step and its tensors (not yet in a model)."""

    cfg: TrainConfig
    step: int
    model_config: ModelConfig
    state: dict[str, torch.Tensor]


def export_weights(trainer: Trainer) -> bytes:
    """Weights + model config + training config + step, as bytes cells.load_model (and read_weights) reads."""
    buf = io.BytesIO()
    extra = {"kind": FILE_KIND, "train_config": asdict(trainer.cfg), "step": trainer.step}
    save_model(trainer.model, buf, extra)
    return buf.getvalue()


def _archive(data: bytes) -> None:
    """Refuse anything but a complete, uncompressed zip no bigger than MAX_FILE_BYTES once unpacked."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"This file is {len(data) / 1e6:.1f} MB; a Train live weights file is at most "
                         f"{MAX_FILE_BYTES / 1e6:g} MB.")
    if not data.startswith(b"PK\x03\x04"):
        raise InputError(NOT_OURS)
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise InputError("This file is incomplete or damaged (was the download cut short?): download the weights "
                         "again.") from None
    if any(e.compress_type != zipfile.ZIP_STORED for e in entries) or \
            sum(e.file_size for e in entries) > MAX_FILE_BYTES:
        raise InputError(NOT_OURS)


def _unpickled(data: bytes) -> dict:
    try:
        blob = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - whatever a crafted file makes torch raise, the student gets one reason
        if isinstance(e, pickle.UnpicklingError) and "weights_only" in str(e):
            raise InputError("This file holds Python objects besides weights, which could run code on the server, "
                             "so it was refused unopened. Load only files saved by the Train live page.") from None
        raise InputError("This file is incomplete or damaged: download the weights again.") from None
    if not isinstance(blob, dict) or not isinstance(blob.get("extra"), dict) or \
            blob["extra"].get("kind") != FILE_KIND:
        raise InputError(NOT_OURS)
    return blob


def _typed(cls: type, raw: object, what: str):
    """cls (TrainConfig or ModelConfig) from the file's plain dict: exactly its fields, each of its declared type."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    if not isinstance(raw, dict) or set(raw) != set(names):
        raise InputError(NOT_OURS)
    for name in names:
        kind, value = hints[name], raw[name]
        ok = {int: lambda v: type(v) is int, float: lambda v: type(v) in (int, float), str: lambda v: type(v) is str
              }.get(kind, lambda v: v is None or type(v) is str)(value)  # g: str | None
        if not ok:
            shown = repr(value) if len(repr(value)) <= 40 else type(value).__name__
            kind_name = {int: "whole number", float: "number", str: "text"}.get(kind, "text")
            raise InputError(f"The {what} in this file are refused: {name} = {shown} is not a {kind_name}.")
    try:
        return cls(**raw)
    except PlaygroundError as e:
        raise InputError(f"The {what} in this file are refused: {e}") from None


def read_weights(data: bytes) -> WeightsFile:
    """Check an uploaded file completely (see the module docstring); InputError with the reason if refused."""
    _archive(data)
    blob = _unpickled(data)
    cfg = _typed(TrainConfig, blob["extra"].get("train_config"), "settings")
    step = blob["extra"].get("step", 0)
    if type(step) is not int or not 0 <= step <= MAX_STEP:
        raise InputError(f"The settings in this file are refused: the step must be a whole number from 0 to "
                         f"{MAX_STEP:,}.")
    try:
        task = cfg.make_task()
        expected = model_config(task, cfg.cell, cfg.hidden, cfg.f, cfg.output, task.check_length(cfg.length))
    except PlaygroundError as e:
        raise InputError(f"The settings in this file are refused: {e}") from None
    stored, state = _typed(ModelConfig, blob.get("config"), "model settings"), blob.get("state_dict")
    shapes = {k: tuple(v.shape) for k, v in _shapes(expected).items()}
    if stored != expected or not isinstance(state, dict) or set(state) != set(shapes) or any(
            not isinstance(t, torch.Tensor) or t.dtype != torch.float32 or tuple(t.shape) != shapes[k]
            for k, t in state.items()):
        raise InputError("The weights in this file do not match the settings saved with them.")
    if not all(bool(torch.isfinite(t).all()) for t in state.values()):
        raise InputError("Some weights in this file are NaN or infinite, so there is nothing to continue from: "
                         "load a file saved before the run blew up, or press Reset.")
    return WeightsFile(cfg, step, expected, state)


def _shapes(config: ModelConfig) -> dict[str, torch.Tensor]:
    """The parameter shapes of a model with this config, on the meta device (no memory is allocated)."""
    with torch.device("meta"):
        return RecurrentModel(config).state_dict()


def trainer_from(f: WeightsFile) -> Trainer:
    """A Trainer that continues a checked file's run."""
    model = RecurrentModel(f.model_config)
    model.load_state_dict(f.state)
    return Trainer(f.cfg, model, f.step)


def import_weights(data: bytes) -> Trainer:
    """A Trainer from exported bytes, ready to continue; InputError (with the reason) for anything else."""
    return trainer_from(read_weights(data))
