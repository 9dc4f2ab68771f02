"""How large a votes file may be: checked on the file's size before a byte is parsed."""

from __future__ import annotations

from pathlib import Path

from judging.votes_file._table import VotesFileError

MB = 1_000_000
DEFAULT_MAX_BYTES = 200 * MB
"""A file larger than this is refused unless the caller raises the limit (``--max-bytes``,
``ARENA_VOTES_MAX_BYTES``): about 2.4 million votes of the export's 11 CSV columns."""
RAISE_HINT = "--max-bytes to raise it"


def megabytes(size: int) -> str:
    """A size as people read it: ``211.3 MB``, or ``860 bytes`` below a tenth of a megabyte."""
    return f"{size:,} bytes" if size < MB // 10 else f"{size / MB:,.1f} MB"


def check_size(path: Path, max_bytes: int | None, *, hint: str = RAISE_HINT) -> None:
    """Refuse a file over ``max_bytes`` (``None``: no limit) before it is read."""
    if max_bytes is None:
        return
    if max_bytes < 1:
        raise ValueError(f"check_size: max_bytes must be at least 1, got {max_bytes!r}")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise VotesFileError(str(path), None, None, f"cannot read the file ({error.strerror})") from None
    if size > max_bytes:
        raise VotesFileError(
            str(path),
            None,
            None,
            f"the file is {megabytes(size)}, over the limit of {megabytes(max_bytes)} ({hint})",
        )
