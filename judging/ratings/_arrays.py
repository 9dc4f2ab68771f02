"""Read-only numpy arrays for the frozen result types."""

from __future__ import annotations

from typing import TypeVar

import numpy as np

__all__ = ["read_only"]

Array = TypeVar("Array", bound=np.ndarray)


def read_only(array: Array) -> Array:
    """``array`` itself, marked read-only (pass a fresh array: the caller must not keep writing it)."""
    array.setflags(write=False)
    return array
