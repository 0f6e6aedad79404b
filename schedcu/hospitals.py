"""Hospitals: look one up by code, list, add or update them (the CLI's `hospital` commands and
`import --amion-url`), and a version's hospital. Which version a refresh follows, and the
versions' statuses: schedcu.versions."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from schedcu.db import transaction
from schedcu.errors import ConfigurationError
from schedcu.hospital_code import check_hospital_code
from schedcu.models import Hospital, ScheduleVersion


def get_hospital(engine: Engine, code: str) -> Hospital | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.exec(select(Hospital).where(Hospital.code == code)).first()


def known_hospital(engine: Engine, code: str) -> Hospital:
    """The hospital `code`, or the coordinator's sentence when there is none."""
    hospital = get_hospital(engine, code)
    if hospital is None:
        raise ConfigurationError(
            f"No hospital has the code {code!r}; add it with `schedcu hospital add` "
            "or check the spelling.",
            code="UNKNOWN_HOSPITAL",
        )
    return hospital


def check_amion_url(url: str) -> str:
    """An http(s) URL with a host, without a trailing slash."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigurationError(
            f"The Amion address {url!r} is not a web address (expected https://...).",
            code="INVALID_AMION_URL",
        )
    return url.rstrip("/")


def list_hospitals(engine: Engine) -> list[Hospital]:
    """Every hospital, by code."""
    with Session(engine, expire_on_commit=False) as session:
        return list(session.exec(select(Hospital).order_by(Hospital.code)))


def check_timezone(timezone: str) -> str:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(
            f"{timezone!r} is not a time zone (e.g. America/New_York).", code="UNKNOWN_TIMEZONE"
        ) from exc
    return timezone


def add_hospital(
    engine: Engine,
    *,
    code: str,
    name: str | None = None,
    amion_base_url: str | None = None,
    timezone: str = "America/New_York",
) -> Hospital:
    """Create a hospital; an existing code, a bad code, address or time zone is refused."""
    check_hospital_code(code)
    hospital = Hospital(
        code=code,
        name=name or code,
        amion_base_url=check_amion_url(amion_base_url) if amion_base_url else None,
        timezone=check_timezone(timezone),
    )
    try:
        with transaction(engine) as session:
            session.add(hospital)
    except sa.exc.IntegrityError as exc:
        raise ConfigurationError(
            f"A hospital with the code {code!r} exists already.", code="HOSPITAL_EXISTS"
        ) from exc
    return hospital


def version_hospital(engine: Engine, version_id: int) -> tuple[ScheduleVersion, Hospital] | None:
    """A version and its hospital."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.exec(
            select(ScheduleVersion, Hospital).join(Hospital).where(ScheduleVersion.id == version_id)
        ).first()
    return (row[0], row[1]) if row else None


def update_hospital(
    engine: Engine,
    *,
    code: str,
    name: str | None = None,
    amion_base_url: str | None = None,
    timezone: str | None = None,
) -> Hospital:
    """Change what is given of an existing hospital; an unknown code is refused."""
    changes = {
        "name": name,
        "amion_base_url": check_amion_url(amion_base_url) if amion_base_url else None,
        "timezone": check_timezone(timezone) if timezone else None,
    }
    with transaction(engine) as session:
        hospital = session.exec(select(Hospital).where(Hospital.code == code)).first()
        if hospital is None:
            raise ConfigurationError(
                f"No hospital has the code {code!r}; see `schedcu hospital list`.",
                code="UNKNOWN_HOSPITAL",
            )
        for field, value in changes.items():
            if value is not None:
                setattr(hospital, field, value)
    return hospital


def point_at_amion(engine: Engine, *, code: str, amion_base_url: str) -> Hospital:
    """The hospital `code`, created if new, with `amion_base_url` as its Amion address."""
    if get_hospital(engine, code) is None:
        return add_hospital(engine, code=code, amion_base_url=amion_base_url)
    return update_hospital(engine, code=code, amion_base_url=amion_base_url)
