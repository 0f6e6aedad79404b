"""What `schedcu ods inspect` shows: a template as a coordinator checks it before importing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schedcu.config import Settings
from schedcu.errors import SchedcuError
from schedcu.names import position_key
from schedcu.storage.location import Location
from schedcu.template import Template
from schedcu.validation import Severity, ValidationResult


def inspect_template(path: Path | str, settings: Settings | None = None) -> dict[str, Any]:
    """The layout, sheets, study types, positions and all messages of a template file, local or
    at a URL (downloaded as an import downloads it).

    Never raises for a bad file: a refused file (or address) gives `layout: None`,
    `importable: False` and its ERROR in `validation`.
    """
    from schedcu.config import get_settings
    from schedcu.ods.parse import parse_template
    from schedcu.storage.fetch import opened
    from schedcu.storage.location import without_password

    settings = settings or get_settings()
    try:
        where = without_password(path, what="template")
        if where.path is not None:
            template, result = parse_template(where.path, settings=settings)
        else:
            limit = settings.ods_max_content_bytes
            with opened(where, settings, what="template", limit=limit) as file:
                template, result = parse_template(file.stream, settings=settings)
    except SchedcuError as err:
        return _report(None, err.validation)
    return _report(template, result)


def _report(template: Template | None, result: ValidationResult) -> dict[str, Any]:
    report: dict[str, Any] = {
        "layout": template.layout.value if template else None,
        "importable": template is not None and not result.has_errors,
        "sheets": [],
        "study_types": list(template.study_types) if template else [],
        "positions": [],
        "validation": result.to_list(),
    }
    if template is None:
        return report
    positions: dict[str, str] = {}
    for sheet in template.sheets:
        report["sheets"].append(
            {
                "name": sheet.name,
                "category": sheet.category,
                "day_type": sheet.day_type,
                "scenario": sheet.scenario,
                "start": sheet.start.isoformat("minutes"),
                "end": sheet.end.isoformat("minutes"),
                "positions": list(sheet.positions),
                "study_types": len(sheet.study_types),
                "marks": sum(len(types) for types in sheet.marks.values()),
            }
        )
        for position in sheet.positions:
            positions.setdefault(position_key(position), position)
    for shift in template.shifts:
        positions.setdefault(position_key(shift.shift_type), shift.shift_type)
    report["positions"] = list(positions.values())
    if template.shifts:
        report["shifts"] = len(template.shifts)
    return report


def format_report(report: dict[str, Any], path: Path | Location) -> str:
    """The report as plain text for a terminal."""
    lines = [f"{path.name}: " + (f"{report['layout']} layout" if report["layout"] else "refused")]
    if report["sheets"]:
        lines.append(f"{len(report['sheets'])} sheets:")
        for sheet in report["sheets"]:
            when = " ".join(filter(None, [sheet["day_type"] or "every day", sheet["scenario"]]))
            lines.append(
                f"  {sheet['name']!r}: {sheet['category']}, {when}, "
                f"{sheet['start']}-{sheet['end']}; positions {', '.join(sheet['positions'])}; "
                f"{sheet['marks']} marks over {sheet['study_types']} study types"
            )
    if "shifts" in report:
        lines.append(f"{report['shifts']} shift rows")
    if report["layout"]:
        lines.append(
            f"{len(report['study_types'])} study types: {', '.join(report['study_types'])}"
        )
        lines.append(f"{len(report['positions'])} positions: {', '.join(report['positions'])}")
    messages = ValidationResult.from_list(report["validation"])
    for severity in Severity:
        for message in messages.by_severity(severity):
            where = f" [{message.location}]" if message.location else ""
            lines.append(f"{severity.value} {message.code}: {message.message}{where}")
    lines.append(
        "The template can be imported."
        if report["importable"]
        else "The template cannot be imported."
    )
    return "\n".join(lines)
