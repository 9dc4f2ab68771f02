"""Writing the site: everything into a temporary directory beside the target, then one rename.

Nothing is half-written: a failure leaves the target as it was (absent, empty, or the old site).
A target that exists and is not empty is refused unless ``force``; with ``force`` the old content
is moved aside, the new site renamed into place, and only then the old content removed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from pipeline.publish.site._models import SiteError

__all__ = ["check_target", "write_site"]


def check_target(out: Path, *, force: bool) -> None:
    """Raise ``SiteError`` when ``out`` cannot take the site (checked before any work is done)."""
    if out.exists() and not out.is_dir():
        raise SiteError(f"write_site: {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise SiteError(f"write_site: {out} exists and is not empty (use --force to replace its content)")


def _safe(relative: str) -> PurePosixPath:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise SiteError(f"write_site: refusing the file name {relative!r}")
    return path


def write_site(files: Mapping[str, str], out: Path, *, force: bool = False) -> list[Path]:
    """Write ``files`` (relative path -> text) as the directory ``out``; returns the final paths."""
    check_target(out, force=force)
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        for relative, text in files.items():
            target = staging / _safe(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        staging.chmod(0o755)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            old.rmdir()
            out.rename(old)
        try:
            staging.rename(out)
        except OSError:
            if old is not None:
                old.rename(out)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(out / _safe(relative) for relative in files)
