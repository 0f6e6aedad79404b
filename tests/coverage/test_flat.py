"""The flat layout: FULL / PARTIAL / UNCOVERED against required staffing, overstaffing."""

from __future__ import annotations

import datetime as dt

from schedcu.coverage import calculate_coverage
from schedcu.coverage.flat import staffing_status
from schedcu.models import CoverageStatus
from tests.coverage.builders import TZ, assign, flat, instances, person, settings

DAY = dt.date(2026, 3, 9)


def test_staffing_status_rules() -> None:
    assert staffing_status(0, 0) == (CoverageStatus.FULL, 100.0)
    assert staffing_status(1, 0) == (CoverageStatus.UNCOVERED, 0.0)
    assert staffing_status(3, 1) == (CoverageStatus.PARTIAL, 33.33)
    assert staffing_status(3, 2) == (CoverageStatus.PARTIAL, 66.67)
    assert staffing_status(1, 2) == (CoverageStatus.FULL, 100.0)


def test_flat_examples_zero_or_one_required_one_of_three_and_overstaffed() -> None:
    template = flat(
        (DAY, "Reserve", 0, "CT Neuro"),
        (DAY, "ON1", 1, "CT Neuro"),
        (DAY, "Mid", 3, "MR Body"),
        (DAY, "ON2", 1, "US"),
    )
    shifts = instances(template, DAY, DAY)
    by_type = {i.position: i for i in shifts}
    ann, bo, cy = person("Ann Lee"), person("Bo Chen"), person("Cy Diaz")
    rows = [
        assign(ann, DAY, "Mid", shift_instance_id=by_type["Mid"].id),
        assign(bo, DAY, "ON2"),  # not linked by phase 2: matched by day and position
        assign(cy, DAY, "ON2", shift_instance_id=by_type["ON2"].id),
        assign(cy, DAY, "ON2"),  # the same person twice counts once
    ]
    result = calculate_coverage(
        template=template,
        shift_instances=shifts,
        assignments=rows,
        persons=[ann, bo, cy],
        settings=settings(),
        tz=TZ,
    )

    got = {
        r.positions[0]: (r.status.value, r.required, r.assigned, r.percentage, r.persons)
        for r in result.rows
    }
    assert got == {
        "Reserve": ("FULL", 0, 0, 100.0, ()),
        "ON1": ("UNCOVERED", 1, 0, 0.0, ()),
        "Mid": ("PARTIAL", 3, 1, 33.33, ("Ann Lee",)),
        "ON2": ("FULL", 1, 2, 100.0, ("Bo Chen", "Cy Diaz")),
    }
    summary = result.summary
    assert summary["counts"] == {"FULL": 2, "PARTIAL": 1, "UNCOVERED": 1}
    assert summary["overall_percentage"] == round(2 / 5 * 100, 2)  # 1 + 1 of 5 places
    assert [(o["position"], o["assigned"]) for o in summary["overstaffed"]] == [("ON2", 2)]
    assert [g["study_type"] for g in summary["gaps"]] == ["CT Neuro"]
    assert summary["by_study_type"]["MR Body"]["percentage"] == 33.33
