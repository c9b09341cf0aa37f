"""Whole numbers read from files, bounded before they are converted: one parser for every format.

A count in a vocabulary file, a header's ``V D``, a version in a model's or a manifest's JSON:
each is checked to fit an int64 from its digits alone, so a 5,000-digit field is refused with
the file's own message rather than a ``ValueError`` from Python's integer conversion limit or
an ``OverflowError`` from NumPy.
"""

from __future__ import annotations

import json
from typing import Any

MAX_INT64 = 2**63 - 1
_MAX_DIGITS = len(str(MAX_INT64))


def whole_number(field: bytes | str, high: int = MAX_INT64) -> int | None:
    """The whole number ``0..high`` that ``field`` spells in ASCII digits, or None if it spells none."""
    digits = field.encode("ascii", "replace") if isinstance(field, str) else field
    if not digits.isdigit() or len(digits.lstrip(b"0")) > _MAX_DIGITS:
        return None
    value = int(digits)
    return value if value <= high else None


def _bounded_int(text: str) -> int:
    value = whole_number(text.removeprefix("-"))
    if value is None:
        raise ValueError(f"an integer of {len(text):,} characters does not fit 64 bits")
    return -value if text.startswith("-") else value


def parse_json(data: bytes) -> Any:
    """The JSON document in ``data`` (UTF-8), its integers within int64.

    Raises ValueError for bytes that are not UTF-8, text that is not JSON, nesting too deep
    to parse, or an integer beyond 64 bits.
    """
    try:
        return json.loads(data.decode("utf-8"), parse_int=_bounded_int)
    except RecursionError:
        raise ValueError("nested too deeply") from None
