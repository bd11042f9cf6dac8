"""CSV that staff open in Excel: every cell goes through csv_cell, so no cell can run as a formula."""

from __future__ import annotations

from collections.abc import Iterable

# OWASP CSV injection: a cell starting with one of these is read as a formula (or as the start of one)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """One cell's text: '' for None, bytes read as UTF-8, and a leading ' when a spreadsheet would run it."""
    if value is None:
        return ""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot be written as UTF-8
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_row(values: Iterable[object]) -> list[str]:
    """Every value of a row as a safe cell."""
    return [csv_cell(v) for v in values]
