"""The flat layout's rule (COVERAGE.md): each shift instance against its required staffing.

A person counts for an instance when their assignment is linked to it, or, unlinked, has the
instance's service day and position (phase 2 links each row to one instance; a day may list the
same shift type once per study type, and the person reads them all).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from schedcu.coverage.inputs import Staffing
from schedcu.coverage.result import CoverageRecord
from schedcu.models import CoverageStatus


class FlatShiftInstance(Protocol):
    id: int | None
    service_date: dt.date
    position: str
    position_key: str
    category: str
    start_at: dt.datetime
    end_at: dt.datetime
    study_type: str | None
    required_staffing: int | None


def staffing_status(required: int, assigned: int) -> tuple[CoverageStatus, float]:
    """FULL / PARTIAL / UNCOVERED and the percentage, min(assigned / required, 1) x 100."""
    if required <= 0:
        return CoverageStatus.FULL, 100.0
    percentage = round(min(assigned / required, 1.0) * 100, 2)
    if assigned >= required:
        return CoverageStatus.FULL, percentage
    if assigned > 0:
        return CoverageStatus.PARTIAL, percentage
    return CoverageStatus.UNCOVERED, percentage


def flat_rows(
    shift_instances: Iterable[FlatShiftInstance],
    staffing: Mapping[dt.date, Sequence[Staffing]],
) -> list[CoverageRecord]:
    linked: dict[int, list[Staffing]] = defaultdict(list)
    unlinked: dict[tuple[dt.date, str], list[Staffing]] = defaultdict(list)
    for day in staffing.values():
        for s in day:
            if s.shift_instance_id is not None:
                linked[s.shift_instance_id].append(s)
            else:
                unlinked[(s.service_date, s.position_key)].append(s)
    records = []
    ordered = sorted(shift_instances, key=lambda i: (i.service_date, i.start_at, i.position_key))
    for instance in ordered:
        people = {
            s.person_id: s.person
            for s in (
                *linked.get(instance.id or -1, ()),
                *unlinked.get((instance.service_date, instance.position_key), ()),
            )
        }
        required = instance.required_staffing or 0
        status, percentage = staffing_status(required, len(people))
        records.append(
            CoverageRecord(
                service_date=instance.service_date,
                category=instance.category,
                start=instance.start_at,
                end=instance.end_at,
                study_type=instance.study_type,
                status=status,
                positions=(instance.position,),
                persons=tuple(sorted(people.values())),
                shift_instance_id=instance.id,
                required=required,
                assigned=len(people),
                percentage=percentage,
            )
        )
    return records
