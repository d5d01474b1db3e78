"""Page configs as dataclasses that round-trip through the URL (st.query_params is a str -> str mapping).

Declare each setting once, with `choice(...)` or `number(...)`: that one declaration gives the default,
the validation, the URL form and (through `limits` / `options`) the widget's range. Bad URL values fall back to
the default, with a message for the user.
"""
from __future__ import annotations

import dataclasses
import math
import typing
from typing import Any, Callable, Mapping, Sequence, TypeVar

from playground.errors import ConfigError, PlaygroundError

C = TypeVar("C")


def choice(default: str, options: Sequence[str]) -> Any:
    """A setting picked from a fixed list of short names (the names a registry uses)."""
    return dataclasses.field(default=default, metadata={"choices": tuple(options)})


def number(default: float, lo: float, hi: float, means: str = "") -> Any:
    """A numeric setting with inclusive bounds; `means` says what its values stand for when a message names them
    (a word number whose 0 means the last word)."""
    return dataclasses.field(default=default, metadata={"min": lo, "max": hi, **({"means": means} if means else {})})


def flag(default: bool) -> Any:
    return dataclasses.field(default=default)


def text(default: str, max_len: int = 2000, check: Callable[[str], str | None] | None = None,
         cut: bool = False) -> Any:
    """A free-text setting; `check(value)` may name a problem with it (None: fine), so that one bad value in a
    link falls back to its default alone. With `cut`, a link's longer text is cut to max_len (and the user told)
    instead of replaced by the default: a pasted review keeps its first part, as the text box would."""
    meta = {"max_len": max_len, **({"check": check} if check else {}), **({"cut": True} if cut else {})}
    return dataclasses.field(default=default, metadata=meta)


def limits(cls: type, name: str) -> dict[str, Any]:
    """A number setting's bounds as widget keywords (min_value=, max_value=), read from its declaration, so a
    page's slider can never offer a value the URL would refuse."""
    meta = {f.name: f.metadata for f in dataclasses.fields(cls)}[name]
    return {"min_value": meta["min"], "max_value": meta["max"]}


def options(cls: type, name: str) -> list:
    """A choice setting's options, read from its declaration (for a selectbox or select_slider)."""
    return list({f.name: f.metadata for f in dataclasses.fields(cls)}[name]["choices"])


def whole(value: Any, lo: int, hi: int, what: str) -> int:
    """value as an int in lo..hi, or ConfigError naming `what`: for numbers that reach torch (a seed, a count),
    where NaN, inf or 2**70 would otherwise escape as ValueError, OverflowError or a failed allocation."""
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"The {what} must be a whole number, got {value!r}.") from None
    if not lo <= n <= hi:
        raise ConfigError(f"The {what} must be between {lo:,} and {hi:,}, got {n:,}.")
    return n


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_value(kind: type, raw: str) -> Any:
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(raw)
    if kind in (int, float):
        value = float(raw)
        if not math.isfinite(value) or (kind is int and not value.is_integer()):
            raise ValueError(raw)
        return kind(value)
    return raw


def _problem(f: dataclasses.Field, value: Any) -> str | None:
    meta = f.metadata
    if "choices" in meta and value not in meta["choices"]:
        return f"{f.name} must be one of {', '.join(map(str, meta['choices']))}"
    if "min" in meta and not (meta["min"] <= value <= meta["max"]):
        return f"{f.name} must be {meta['means']}" if "means" in meta else \
            f"{f.name} must be between {meta['min']} and {meta['max']}"
    if "max_len" in meta and len(value) > meta["max_len"]:
        return f"{f.name} is longer than {meta['max_len']} characters"
    return meta["check"](value) if "check" in meta else None


def quoted(raw: str, most: int = 40) -> str:
    """A link's value as a message quotes it: cut short (a link can hold any length) and repr-escaped, so control
    and direction characters show as codes instead of acting on the message."""
    return repr(raw if len(raw) <= most else raw[:most] + "…")


def check(cfg: Any) -> list[str]:
    """Problems with a config's values against their declared choices and bounds (empty: all fine)."""
    return [p for f in dataclasses.fields(cfg) if (p := _problem(f, getattr(cfg, f.name)))]


def to_params(cfg: Any) -> dict[str, str]:
    """Config -> URL query parameters: every field, so a link keeps its meaning if defaults change, but those
    that the config's optional `link_omits()` names as unused in its current setting (e.g. the text of a task
    that reads none), so links stay short."""
    omit = set(cfg.link_omits()) if hasattr(cfg, "link_omits") else set()
    return {f.name: _format(getattr(cfg, f.name)) for f in dataclasses.fields(cfg) if f.name not in omit}


def from_params(cls: type[C], params: Mapping[str, str]) -> tuple[C, list[str]]:
    """URL query parameters -> (config, messages). Unknown keys are ignored; bad values use the default."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    messages: list[str] = []
    for f in dataclasses.fields(cls):
        if f.name not in params:
            continue
        raw = params[f.name]
        try:
            value = parse_value(hints[f.name], raw)
        except (ValueError, TypeError):
            messages.append(f"Link setting {f.name}={quoted(raw)} is not a valid {hints[f.name].__name__}; "
                            f"using the default {f.default!r}.")
            continue
        if f.metadata.get("cut") and isinstance(value, str) and len(value) > f.metadata["max_len"]:
            messages.append(f"Link setting {f.name} has {len(value):,} characters; the first {f.metadata['max_len']:,} "
                            "are kept (the box takes no more).")
            value = value[:f.metadata["max_len"]]
        problem = _problem(f, value)
        if problem:
            messages.append(f"Link setting {f.name}={quoted(raw)} was ignored ({problem}); "
                            f"using the default {f.default!r}.")
            continue
        values[f.name] = value
    try:
        cfg = cls(**values)
    except PlaygroundError as e:
        messages.append(f"The link's settings do not go together ({e}); using the defaults.")
        cfg = cls()
    return cfg, messages
