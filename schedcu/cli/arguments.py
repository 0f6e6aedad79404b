"""Argument types the commands share: argparse turns a bad value into a usage error (exit 2)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any


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


def _checked(name: str, value: object) -> Any:
    """`value` as the flows' parameter `name` takes it (schedcu.request): one set of bounds."""
    from schedcu.errors import ConfigurationError
    from schedcu.request import checked

    try:
        return getattr(checked(**{name: value}), name)
    except ConfigurationError as err:
        raise argparse.ArgumentTypeError(f"{err.code}: {err.message}") from None


def version_number(text: str) -> int:
    """A schedule version's number (1 or more)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a version number") from None
    return int(_checked("version_id", number))


def person(text: str) -> str:
    """Who promotes a version, as the promote-version flow's `promoted_by` takes it."""
    return str(_checked("promoted_by", text))


def reason(text: str) -> str:
    """Why, as the promote-version flow's `reason` takes it."""
    return str(_checked("reason", text))
