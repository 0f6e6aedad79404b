""" "What changed" as a coordinator reads it: the markdown of the flow run's artifact, also
printed by `schedcu changes` and `schedcu refresh`."""

from __future__ import annotations

from schedcu.changes.model import AssignmentKey, Changes, ShiftKey
from schedcu.coverage.summary import Gap
from schedcu.wording import plural

MAX_LISTED = 25  # lines per list; the rest is counted


def _gap(gap: Gap, changes: Changes) -> str:
    start, end = gap.start.astimezone(changes.tz), gap.end.astimezone(changes.tz)
    nobody = f", nobody on {'/'.join(gap.positions)}" if gap.positions else ""
    return (
        f"{gap.study_type}, {start:%a %d %b %H:%M} – {end:%a %d %b %H:%M}, "
        f"{gap.hours:.2f} h{nobody}"
    )


def _assignment(key: AssignmentKey) -> str:
    return f"{key.person} on {key.position}, {key.service_date:%a %d %b %Y}"


def _shift(key: ShiftKey, changes: Changes) -> str:
    start, end = key.start.astimezone(changes.tz), key.end.astimezone(changes.tz)
    return f"{key.position}, {key.service_date:%a %d %b %Y}, {start:%H:%M}–{end:%H:%M}"


def _listed(title: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    out = ["", f"## {title} ({len(lines)})", ""]
    out += [f"- {line}" for line in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        out.append(f"- ... and {len(lines) - MAX_LISTED} more")
    return out


def changes_markdown(changes: Changes, *, hospital: str) -> str:
    """The "What changed" text: the baseline, then each list that is not empty."""
    base = changes.baseline
    against = (
        f"the previous calculation of version {base.version_id}"
        if base.same_version
        else f"version {base.version_id}'s calculation"
    )
    out = [
        f"# What changed for {hospital}",
        "",
        f"Compared with {against} (calculation {base.calculation_id}), "
        f"service days {changes.first:%d %b %Y} to {changes.last:%d %b %Y}, "
        f"times in {changes.timezone}.",
    ]
    if changes.inputs_unchanged:
        return "\n".join([*out, "", "Nothing changed: Amion and the roster are as they were."])
    if changes.nothing_changed:
        return "\n".join([*out, "", "Nothing changed in the gaps, assignments or shifts."])
    out += _listed("Gaps opened", [_gap(gap, changes) for gap in changes.opened])
    out += _listed(
        "Gaps grown",
        [
            f"{_gap(gap, changes)} (was {change.before_hours:.2f} h)"
            for change in changes.changed
            if change.kind == "grown"
            for gap in change.after
        ],
    )
    out += _listed(
        "Gaps shrunk",
        [
            f"{_gap(gap, changes)} (was {change.before_hours:.2f} h)"
            for change in changes.changed
            if change.kind == "shrunk"
            for gap in change.after
        ],
    )
    out += _listed("Gaps closed", [_gap(gap, changes) for gap in changes.closed])
    out += _listed("Assignments added", [_assignment(k) for k in changes.assignments_added])
    out += _listed("Assignments removed", [_assignment(k) for k in changes.assignments_removed])
    out += _listed(
        "Assignments moved",
        [
            f"{_assignment(move.before)} → {move.after.position}, "
            f"{move.after.service_date:%a %d %b %Y}"
            for move in changes.assignments_moved
        ],
    )
    out += _listed("Shifts added", [_shift(k, changes) for k in changes.shifts_added])
    out += _listed("Shifts removed", [_shift(k, changes) for k in changes.shifts_removed])
    counts = (
        f"{plural(len(changes.opened), 'gap')} opened, {plural(len(changes.grown), 'gap')} grown, "
        f"{plural(len(changes.closed), 'gap')} closed"
    )
    return "\n".join([*out, "", f"In all: {counts}."])


def changes_line(changes: Changes) -> str:
    """One sentence for a command's output."""
    if changes.inputs_unchanged or changes.nothing_changed:
        return "What changed: nothing."
    return (
        f"What changed: {plural(len(changes.opened), 'gap')} opened, "
        f"{plural(len(changes.grown), 'gap')} grown, "
        f"{plural(len(changes.shrunk), 'gap')} shrunk, "
        f"{plural(len(changes.closed), 'gap')} closed; "
        f"{plural(len(changes.assignments_added), 'assignment')} added, "
        f"{len(changes.assignments_removed)} removed, {len(changes.assignments_moved)} moved; "
        f"{plural(len(changes.shifts_added), 'shift')} added, "
        f"{len(changes.shifts_removed)} removed."
    )
