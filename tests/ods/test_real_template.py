"""Acceptance on the real department's template (../shared/fixtures/cuSchedNormalized.ods)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from schedcu.models import TemplateLayout
from schedcu.names import name_key
from schedcu.ods import parse_template
from schedcu.template import Template
from schedcu.validation import Severity


def test_twelve_sheets_23_study_types_one_warning(real_template_path: Path) -> None:
    template, result = parse_template(real_template_path)
    assert template.layout is TemplateLayout.MATRIX
    assert len(template.sheets) == 12
    assert len(template.study_types) == 23
    assert len({name_key(s) for s in template.study_types}) == 23
    assert not result.has_errors
    warnings = result.by_severity(Severity.WARNING)
    assert [w.code for w in warnings] == ["EXTRA_GRID_BLOCK"]
    [extra] = warnings
    assert extra.location == "'Mid Weekend Neuro 5 pm - 12 am'!U1:X24"
    assert "4 study types" in extra.message
    assert result.codes() == ["EXTRA_GRID_BLOCK"]


def test_the_first_block_is_used(real_template_path: Path) -> None:
    template, _ = parse_template(real_template_path)
    sheet = next(s for s in template.sheets if s.name == "Mid Weekend Neuro 5 pm - 12 am")
    assert sheet.positions == ("MidC", "MidL", "Mid 3")
    assert "CPMC US" in sheet.marks["MidC"]  # the second block puts it under Mid3
    assert "CPMC DX Bone" in sheet.marks["Mid 3"]  # the second block puts it under MidL


def test_sheet_rules_carry_the_parsed_name(real_template_path: Path) -> None:
    template, _ = parse_template(real_template_path)
    first = template.sheets[0]
    assert (first.category, first.day_type, first.scenario) == ("Mid", "Weekday", "Body")
    assert (first.start, first.end) == (dt.time(17), dt.time(18))
    assert first.positions == ("Mid Body", "Mid Neuro", "Mid3")
    assert [sheet.order for sheet in template.sheets] == list(range(12))
    overnight = template.sheets[7]
    assert overnight.name == "Mid  12am-1am"
    assert (overnight.day_type, overnight.scenario) == (None, None)


def test_display_spellings_are_kept_but_trimmed(real_template_path: Path) -> None:
    template, _ = parse_template(real_template_path)
    assert "CHONY Neuro" in template.study_types
    positions = {p for sheet in template.sheets for p in sheet.positions}
    assert {"Mid3", "Mid 3"} <= positions


def test_nine_call_positions(real_template_path: Path) -> None:
    from schedcu.names import position_key

    template, _ = parse_template(real_template_path)
    keys = {position_key(p) for sheet in template.sheets for p in sheet.positions}
    assert len(keys) == 9


def test_a_binary_stream_reads_like_the_path(real_template_path: Path) -> None:
    from_path, _ = parse_template(real_template_path)
    from_stream, _ = parse_template(io.BytesIO(real_template_path.read_bytes()))
    assert from_stream == from_path


def test_template_round_trips_through_json(real_template_path: Path) -> None:
    template, _ = parse_template(real_template_path)
    assert Template.from_dict(template.to_dict()) == template
