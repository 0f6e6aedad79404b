"""The example department's template, written with odfpy, reads back with no warning."""

from __future__ import annotations

from pathlib import Path

from schedcu.examples.data import SHEETS, STUDY_TYPES
from schedcu.examples.template_ods import write_example_template
from schedcu.ods import parse_template


def test_example_template_reads_back_exactly(tmp_path: Path) -> None:
    path = write_example_template(tmp_path / "nested" / "example.ods")
    template, result = parse_template(path)
    assert result.codes() == []
    assert len(template.study_types) == 8
    assert set(template.study_types) == set(STUDY_TYPES)
    assert [sheet.name for sheet in template.sheets] == list(SHEETS)
    for sheet in template.sheets:
        expected = SHEETS[sheet.name]
        assert sheet.positions == tuple(expected)
        assert {p: set(types) for p, types in sheet.marks.items()} == {
            p: set(types) for p, types in expected.items()
        }
