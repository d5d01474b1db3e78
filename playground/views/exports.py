"""CSV downloads: what each page lets a student take home, as pandas tables, and file names that say what and when."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no pandas here: a table arrives made (a page without a download never loads pandas)
    import pandas as pd

FLOAT_FORMAT = "%.8g"  # float32 values survive the round trip through the text


def file_name(what: str, when: datetime | None = None, ext: str = "csv") -> str:
    """'read_a_review_h_t_rnn_2026-12-01_1634utc.csv': what the file holds, then when (UTC, to the minute)."""
    when = when or datetime.now(timezone.utc)
    return f"{what}_{when.astimezone(timezone.utc):%Y-%m-%d_%H%M}utc.{ext}"


def csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False, float_format=FLOAT_FORMAT).encode("utf-8")
