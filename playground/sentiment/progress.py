"""A one-line text progress bar for the training CLI (no tqdm)."""
from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """A one-line text progress bar on stderr (no tqdm): `[lstm] epoch 2/6 |#####.....| 48% 12s loss 0.41`."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None, width: int = 24):
        self.label, self.total, self.width = label, max(1, total), width
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.perf_counter()
        self.last = 0.0

    def update(self, done: int, note: str = "", force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.last < 0.5 and done < self.total:
            return
        self.last = now
        frac = min(1.0, done / self.total)
        bar = "#" * int(frac * self.width) + "." * (self.width - int(frac * self.width))
        self.stream.write(f"\r[{self.label}] |{bar}| {frac:4.0%} {now - self.start:5.0f}s {note}   ")
        self.stream.flush()

    def close(self, note: str = "") -> None:
        self.update(self.total, note, force=True)
        self.stream.write("\n")
        self.stream.flush()

