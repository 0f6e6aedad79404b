"""One import per hospital at a time: a strict Prefect global concurrency limit per hospital.

The limit (`schedcu-hospital-<code>`, one slot) is created on first use and re-activated if
someone switched it off, and it is taken with `strict=True`: a missing limit is an error, never a
silent "no limit". Imports of different hospitals hold different limits and run in parallel.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import (
    GlobalConcurrencyLimitCreate,
    GlobalConcurrencyLimitUpdate,
)
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from schedcu.names import slug

SLOTS_PER_HOSPITAL = 1
# The slot's lease is renewed while the import runs; if its process dies (SIGKILL, a lost
# machine), the slot frees itself when the lease runs out. Prefect's shortest lease is 60 s
# (its default, 300 s, would block the hospital's next import for five minutes).
LEASE_SECONDS = 60.0


def limit_name(hospital: str) -> str:
    return slug("schedcu-hospital", hospital)


def ensure_hospital_limit(hospital: str) -> str:
    """Create the hospital's limit if it is missing (or make it active with one slot)."""
    name = limit_name(hospital)
    with get_client(sync_client=True) as client:
        try:
            existing = client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            # Another run may have created it a moment ago: then it is there, as wanted.
            with suppress(ObjectAlreadyExists):
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=SLOTS_PER_HOSPITAL, active=True)
                )
            return name
        if not existing.active or existing.limit != SLOTS_PER_HOSPITAL:
            client.update_global_concurrency_limit(
                name, GlobalConcurrencyLimitUpdate(limit=SLOTS_PER_HOSPITAL, active=True)
            )
    return name


@contextmanager
def hospital_slot(hospital: str, *, timeout_seconds: float | None = None) -> Iterator[None]:
    """Hold the hospital's only slot for the block; wait for it while another import runs."""
    name = ensure_hospital_limit(hospital)
    with concurrency(
        name,
        occupy=SLOTS_PER_HOSPITAL,
        strict=True,
        timeout_seconds=timeout_seconds,
        lease_duration=LEASE_SECONDS,
    ):
        yield
