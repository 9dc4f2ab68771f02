"""Writing the site: everything into a temporary directory beside the target, then one rename
(``judging.staged_files.write_directory``, as the LiveSecBench result files are written).

Nothing is half-written: a failure leaves the target as it was (absent, empty, or the old site).
A target that exists and is not empty is refused unless ``force``; with ``force`` the old content
is moved aside, the new site renamed into place, and only then the old content removed. Pages and
text files are written as UTF-8; binary files (the LiveSecBench ``pk_details`` workbooks) as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from judging.staged_files import TargetError, write_directory
from judging.staged_files import check_target as check_directory
from pipeline.publish.site._models import SiteError

__all__ = ["check_target", "write_site"]

_WHO = "write_site"


def check_target(out: Path, *, force: bool) -> None:
    """Raise ``SiteError`` when ``out`` cannot take the site (checked before any work is done)."""
    try:
        check_directory(out, force=force, who=_WHO)
    except TargetError as exc:
        raise SiteError(str(exc)) from None


def write_site(files: Mapping[str, str | bytes], out: Path, *, force: bool = False) -> list[Path]:
    """Write ``files`` (relative path -> text or bytes) as the directory ``out``; the final paths."""
    data = {name: c.encode("utf-8") if isinstance(c, str) else c for name, c in files.items()}
    try:
        return write_directory(data, out, force=force, who=_WHO)
    except TargetError as exc:
        raise SiteError(str(exc)) from None
