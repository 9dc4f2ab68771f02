"""Between pyarrow and numpy without pandas.

pyarrow's own conversions (``pa.array``, ``to_numpy``) import pandas to check for its types, a
quarter of a second the command line does not need: these go through the buffers instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

IntArray = npt.NDArray[np.int64]


_INT_TYPES = {pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32, pa.int64(): np.int64}


def plain(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def numpy_ints(array: pa.Array | pa.ChunkedArray) -> IntArray:
    """An integer array without nulls as int64."""
    array = plain(array)
    assert array.null_count == 0, "integer codes are never null"
    dtype = _INT_TYPES[array.type]
    values = np.frombuffer(array.buffers()[1], dtype=dtype)[array.offset : array.offset + len(array)]
    return values.astype(np.int64)


def numpy_floats(array: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.float64]:
    """A float64 array without nulls."""
    array = plain(array)
    assert array.null_count == 0 and array.type == pa.float64()
    return np.frombuffer(array.buffers()[1], dtype=np.float64)[
        array.offset : array.offset + len(array)
    ].copy()


def arrow_ints(values: npt.NDArray[np.integer[Any]]) -> pa.Array:
    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def arrow_mask(mask: npt.NDArray[np.bool_]) -> pa.Array:
    bits = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits)])


def first_appearance(ids: IntArray) -> IntArray:
    """Renumber ids 0, 1, 2 … in order of first appearance (a hash pass, no sort)."""
    return numpy_ints(arrow_ints(ids).dictionary_encode().indices)
