"""Safe exports shared by every page: CSV cells that a spreadsheet would run as formulas.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is a formula to
Excel, LibreOffice and Google Sheets ("CSV injection"). Exports prefix such text cells with a
single quote, which spreadsheets show as plain text. Numbers are left alone (``-0.5`` stays a
number).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_csv_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text that starts like a formula; else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell_text(value: object) -> object:
    if isinstance(value, list | tuple | np.ndarray):
        return "|".join(str(v) for v in value)
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where every text cell (and column name) is neutralised; lists become ``a|b``."""
    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            if pd.api.types.is_datetime64_any_dtype(out[col]):
                continue
            out[col] = out[col].map(lambda v: neutralise_csv_cell(_cell_text(v))).astype(object)
    out.columns = [neutralise_csv_cell(str(c)) for c in out.columns]
    return out


def safe_csv(frame: pd.DataFrame, sep: str = ",") -> bytes:
    """UTF-8 CSV bytes of ``frame`` (no index) with formula-like text cells neutralised."""
    return neutralise_frame(frame).to_csv(index=False, sep=sep).encode("utf-8")
