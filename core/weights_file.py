"""A safetensors weights file checked before anything is built from it: its size, its header (every
tensor's dtype, shape and place in the file), its SHA-256 against the card, and the shapes a
model of the card's config would have, computed on the meta device (no memory allocated).

A damaged or hostile file therefore fails with a sentence instead of a multi-gigabyte allocation
or silently wrong outputs. The format: 8 bytes (little-endian header length n), n bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the data.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

MAX_WEIGHTS_BYTES = 256 * 2**20  # the largest shipped file has 4 MB
MAX_HEADER_BYTES = 2**20
DTYPES = {"F64": (torch.float64, 8), "F32": (torch.float32, 4), "F16": (torch.float16, 2),
          "BF16": (torch.bfloat16, 2), "I64": (torch.int64, 8), "I32": (torch.int32, 4),
          "I16": (torch.int16, 2), "I8": (torch.int8, 1), "U8": (torch.uint8, 1), "BOOL": (torch.bool, 1)}
_DTYPE_NAMES = {dtype: name for name, (dtype, _) in DTYPES.items()}

Shapes = dict[str, tuple[str, tuple[int, ...]]]  # tensor name -> (dtype name, shape)


def read_weights(path: Path) -> bytes:
    """The file's bytes; ValueError if it is larger than any model here needs."""
    size = Path(path).stat().st_size
    if size > MAX_WEIGHTS_BYTES:
        raise ValueError(f"the file has {size:,} bytes, more than the {MAX_WEIGHTS_BYTES:,} a model here may have")
    return Path(path).read_bytes()


def weights_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tensor_shapes(data: bytes) -> Shapes:
    """Every tensor's dtype and shape from the header; ValueError unless the header is well formed
    and its tensors tile the data exactly (each one's bytes = its shape's size x its dtype's)."""
    if len(data) < 8:
        raise ValueError("the file is shorter than a safetensors header")
    n = int.from_bytes(data[:8], "little")
    if not 2 <= n <= min(MAX_HEADER_BYTES, len(data) - 8):
        raise ValueError("the header length is impossible (truncated or not a safetensors file)")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValueError("the header is not readable JSON") from None
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    header.pop("__metadata__", None)
    shapes: Shapes = {}
    spans = []
    for name, entry in header.items():
        dtype, shape, offsets = _entry(name, entry)
        shapes[name] = (dtype, shape)
        spans.append((offsets, name, math.prod(shape) * DTYPES[dtype][1]))
    end = 0
    for (begin, stop), name, size in sorted(spans):
        if begin != end or stop - begin != size:
            raise ValueError(f"the bytes of {name} do not match its shape")
        end = stop
    if end != len(data) - 8 - n:
        raise ValueError(f"the data has {len(data) - 8 - n:,} bytes where the header describes {end:,}")
    return shapes


def _entry(name: str, entry: object) -> tuple[str, tuple[int, ...], tuple[int, int]]:
    if not isinstance(entry, dict):
        raise ValueError(f"the header entry of {name} is not an object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in DTYPES:
        raise ValueError(f"{name} has an unknown dtype")
    whole = (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0)
    if not isinstance(shape, list) or len(shape) > 8 or not all(whole(d) for d in shape):
        raise ValueError(f"{name} has an impossible shape")
    if not isinstance(offsets, list) or len(offsets) != 2 or not all(whole(o) for o in offsets):
        raise ValueError(f"{name} has impossible data offsets")
    return dtype, tuple(shape), (offsets[0], offsets[1])


class _NoRandomInit(TorchFunctionMode):
    """Skips random initialisation, which has no values to fill on the meta device (and for which
    torch would import its compiler stack, 2.5 s, to run normal_ on meta tensors)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if getattr(func, "__name__", "") in ("normal_", "uniform_"):
            return args[0] if args else kwargs["tensor"]
        return func(*args, **kwargs)


def model_shapes(build: Callable[[], nn.Module]) -> Shapes:
    """The dtype and shape of every tensor in the state dict of the module `build` makes, built on
    the meta device: sizes from a card are checked before any memory is allocated for them."""
    with torch.device("meta"), _NoRandomInit():
        module = build()
    return {k: (_DTYPE_NAMES.get(v.dtype, str(v.dtype)), tuple(v.shape)) for k, v in module.state_dict().items()}


def shape_difference(expected: Shapes, found: Shapes) -> str | None:
    """The first way `found` (the file) differs from `expected` (the card's config), or None."""
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing:
        return f"{missing[0]} is missing" + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
    if extra:
        return f"{extra[0]} is not part of this model" + (f" and {len(extra) - 1} more" if len(extra) > 1 else "")
    for name, (dtype, shape) in sorted(expected.items()):
        if found[name] != (dtype, shape):
            return f"{name} is {found[name][0]} {list(found[name][1])} in the file, {dtype} {list(shape)} in the card"
    return None
