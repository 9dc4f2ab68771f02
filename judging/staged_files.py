"""Writing a directory of files all at once: into a temporary directory beside the target, then
one rename. A failure leaves the target as it was; a target that exists and is not empty is
refused unless ``force``, and then replaced only once the new content is complete."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from judging.errors import ArenaError

__all__ = ["TargetError", "check_target", "write_directory"]


class TargetError(ArenaError, ValueError):
    """The output directory cannot take the files (nothing was written)."""


def check_target(out: Path, *, force: bool, who: str = "write_directory") -> None:
    """Raise ``TargetError`` when ``out`` is a file, or a non-empty directory without ``force``."""
    if out.exists() and not out.is_dir():
        raise TargetError(f"{who}: {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise TargetError(f"{who}: {out} exists and is not empty (use --force to replace its content)")


def _relative(name: str, who: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if not path.parts or path.is_absolute() or ".." in path.parts:
        raise TargetError(f"{who}: refusing the file name {name!r}")
    return path


def write_directory(
    files: Mapping[str, bytes], out: Path, *, force: bool = False, who: str = "write_directory"
) -> list[Path]:
    """Write ``files`` (relative POSIX path -> bytes) as the directory ``out``; the final paths."""
    check_target(out, force=force, who=who)
    relative = {name: _relative(name, who) for name in files}
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        for name, content in files.items():
            target = staging / relative[name]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
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
    return sorted(out / path for path in relative.values())
