"""CSV cells that a spreadsheet would run as a formula (CSV injection, OWASP) get a leading
apostrophe on export; the readers drop exactly the apostrophe the writer added."""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "neutralise_cell", "read_cell", "restore_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula.

    A cell that already starts with an apostrophe is prefixed too, so that ``restore_cell``
    can undo exactly what this did.
    """
    if value.startswith((*FORMULA_STARTS, "'")):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """Undo ``neutralise_cell``: drop one apostrophe that precedes a formula start or another
    apostrophe. Any other leading apostrophe is part of the text and stays."""
    if value.startswith("'") and value[1:].startswith((*FORMULA_STARTS, "'")):
        return value[1:]
    return value


def read_cell(value: str, *, guarded: bool) -> str | None:
    """One text cell as the votes readers take it: surrounding whitespace dropped, an empty cell
    is ``None``, and in a CSV file (``guarded``) the export's formula guard undone.

    JSONL values are never guarded on export, so they are read as they stand: ``'=x`` stays
    ``'=x`` there, while the CSV cell ``'=x`` reads as ``=x``.
    """
    text = value.strip()
    if not text:
        return None
    return restore_cell(text) if guarded else text
