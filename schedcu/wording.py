"""Counts in sentences a coordinator reads: "1 error", "2 errors"."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and the noun, singular for exactly one (`nouns` when adding "s" is wrong)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def days_text(start: object, end: object) -> str:
    """`2026-03-01 to 2026-03-31`, or the one day when `start` is `end`."""
    return str(start) if start == end else f"{start} to {end}"
