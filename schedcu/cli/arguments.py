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
    """A number of months within the bounds every period has (schedcu.request)."""
    from schedcu.errors import ConfigurationError
    from schedcu.request import checked

    try:
        months = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of months") from None
    try:
        return checked(months=months).months
    except ConfigurationError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def hospital_code(text: str) -> str:
    """Every hospital code argument: a bad code is a usage error with its stable code, before
    any database or Prefect work (the check is the domain's, schedcu.hospital_code)."""
    from schedcu.errors import ConfigurationError
    from schedcu.hospital_code import check_hospital_code

    try:
        return check_hospital_code(text)
    except ConfigurationError as err:
        raise argparse.ArgumentTypeError(f"{err.code}: {err.message}") from None
