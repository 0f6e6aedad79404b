"""Argument types the commands share: argparse turns a bad value into a usage error (exit 2)."""

from __future__ import annotations

import argparse
import datetime as dt


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def month_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of months (1 or more)")
    return int(text)


def hospital_code(text: str) -> str:
    """Every hospital code argument: a bad code is a usage error with its stable code, before
    any database or Prefect work (the check is the domain's, schedcu.hospitals)."""
    from schedcu.errors import ConfigurationError
    from schedcu.hospitals import check_hospital_code

    try:
        return check_hospital_code(text)
    except ConfigurationError as err:
        raise argparse.ArgumentTypeError(f"{err.code}: {err.message}") from None
