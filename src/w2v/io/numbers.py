"""Whole numbers read from files, bounded before they are converted: one parser for every format.

A count in a vocabulary file or a header's ``V D`` is checked to fit an int64 from its digits
alone, and an integer in a model's or a manifest's JSON to have at most a hundred digits, so a
5,000-digit field is refused with the file's own message rather than a ``ValueError`` from
Python's integer conversion limit or an ``OverflowError`` from NumPy.
"""

from __future__ import annotations

import json
from typing import Any

MAX_INT64 = 2**63 - 1
_MAX_DIGITS = len(str(MAX_INT64))
MAX_JSON_DIGITS = 100  # checkpoints keep 128-bit random-generator states (39 digits) in their JSON


def whole_number(field: bytes | str, high: int = MAX_INT64) -> int | None:
    """The whole number ``0..high`` that ``field`` spells in ASCII digits, or None if it spells none."""
    digits = field.encode("ascii", "replace") if isinstance(field, str) else field
    if not digits.isdigit() or len(digits.lstrip(b"0")) > _MAX_DIGITS:
        return None
    value = int(digits)
    return value if value <= high else None


def _bounded_int(text: str) -> int:
    if len(text) > MAX_JSON_DIGITS:
        raise ValueError(f"an integer of {len(text):,} digits, more than {MAX_JSON_DIGITS} (damaged?)")
    return int(text)


def parse_json(data: bytes) -> Any:
    """The JSON document in ``data`` (UTF-8), its integers of at most ``MAX_JSON_DIGITS`` digits.

    Raises ValueError for bytes that are not UTF-8, text that is not JSON, nesting too deep
    to parse, or a longer integer (which Python's conversion limit would refuse with a
    ValueError of its own, only beyond 4,300 digits).
    """
    try:
        return json.loads(data.decode("utf-8"), parse_int=_bounded_int)
    except RecursionError:
        raise ValueError("nested too deeply") from None
