"""Layout A, the coverage matrix: one sheet per time window (ODS_LAYOUTS.md).

A sheet's grid is its first block of adjacent non-empty columns: the header row names the call
positions, each following row names a study type and marks (`x`, any case) who reads it.
Further blocks to the right are reported (`EXTRA_GRID_BLOCK`) and not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from schedcu.names import name_key, position_key
from schedcu.ods.cells import Cell, cell_ref, range_ref
from schedcu.ods.reader import Row
from schedcu.ods.sheetname import MAX_NAME, SheetName
from schedcu.template import SheetRule
from schedcu.validation import ValidationResult

MARK = "x"


@dataclass(slots=True)
class _Grid:
    """One block read as a grid: positions by column, and per study-type key its marks."""

    positions: dict[int, str] = field(default_factory=dict)  # column -> display spelling
    study_types: dict[str, str] = field(default_factory=dict)  # key -> display spelling
    marks: dict[str, set[str]] = field(default_factory=dict)  # study key -> position keys
    mark_lists: dict[str, list[str]] = field(default_factory=dict)  # position -> study types
    mark_count: int = 0


def read_matrix_sheet(
    name: str, order: int, parsed: SheetName, rows: Sequence[Row], result: ValidationResult
) -> SheetRule | None:
    """The rule of one matrix sheet, or None (with a WARNING) when it has no usable grid."""
    blocks = _column_blocks(rows)
    if not blocks:
        result.warning(
            "EMPTY_SHEET", f"Sheet {name!r} is empty; it is skipped.", cell_ref(name, 0, 0)
        )
        return None
    first = _read_grid(name, rows, blocks[0], result, report=True)
    if first is None:
        return None
    for block in blocks[1:]:
        _report_extra_block(name, rows, block, first, result)
    if first.mark_count == 0:
        result.warning(
            "NO_MARKS",
            f"Sheet {name!r} has no mark (x) at all: nobody reads anything in this window.",
            range_ref(name, *_bounds(rows, blocks[0])),
        )
    positions = tuple(first.positions.values())
    return SheetRule(
        name=name,
        category=parsed.category,
        day_type=parsed.day_type,
        scenario=parsed.scenario,
        start=parsed.start,
        end=parsed.end,
        positions=positions,
        study_types=tuple(first.study_types.values()),
        marks={position: tuple(first.mark_lists[position]) for position in positions},
        order=order,
    )


def _column_blocks(rows: Sequence[Row]) -> list[tuple[int, int]]:
    """Runs of adjacent non-empty columns, left to right, as (first, last) column."""
    columns = sorted({cell.col for _, cells in rows for cell in cells if cell.text.strip()})
    blocks: list[tuple[int, int]] = []
    for col in columns:
        if blocks and col == blocks[-1][1] + 1:
            blocks[-1] = (blocks[-1][0], col)
        else:
            blocks.append((col, col))
    return blocks


def _block_rows(rows: Sequence[Row], block: tuple[int, int]) -> list[tuple[int, list[Cell]]]:
    first, last = block
    selected = []
    for index, cells in rows:
        inside = [cell for cell in cells if first <= cell.col <= last and cell.text.strip()]
        if inside:
            selected.append((index, inside))
    return selected


def _bounds(rows: Sequence[Row], block: tuple[int, int]) -> tuple[int, int, int, int]:
    selected = _block_rows(rows, block)
    return selected[0][0], block[0], selected[-1][0], block[1]


def _read_grid(
    sheet: str,
    rows: Sequence[Row],
    block: tuple[int, int],
    result: ValidationResult,
    *,
    report: bool,
) -> _Grid | None:
    """Read a block as a grid; `report` adds the cell-level warnings (first block only)."""
    sink = result if report else ValidationResult()
    selected = _block_rows(rows, block)
    header_row, header_cells = selected[0]
    grid = _Grid()
    seen_positions: dict[str, str] = {}
    for cell in header_cells:
        if cell.col == block[0]:
            continue
        display = cell.text.strip()
        key = position_key(display)
        if len(display) > MAX_NAME:
            sink.warning(
                "NAME_TOO_LONG",
                f"A position name in sheet {sheet!r} is longer than {MAX_NAME} characters; the "
                "column is ignored.",
                cell_ref(sheet, header_row, cell.col),
            )
            continue
        if key in seen_positions:
            sink.warning(
                "DUPLICATE_POSITION",
                f"Position {display!r} appears twice in the header of sheet {sheet!r}; the "
                "second column is ignored.",
                cell_ref(sheet, header_row, cell.col),
            )
            continue
        seen_positions[key] = display
        grid.positions[cell.col] = display
        grid.mark_lists[display] = []
    if not grid.positions:
        sink.warning(
            "NO_POSITIONS",
            f"Sheet {sheet!r} has no call position in its header row; it is skipped.",
            cell_ref(sheet, header_row, block[0]),
        )
        return None
    study_rows: dict[str, int] = {}
    for row_index, cells in selected[1:]:
        _read_study_row(sheet, row_index, cells, block, grid, study_rows, sink)
    return grid


def _read_study_row(
    sheet: str,
    row_index: int,
    cells: Iterable[Cell],
    block: tuple[int, int],
    grid: _Grid,
    study_rows: dict[str, int],
    sink: ValidationResult,
) -> None:
    cells = list(cells)
    label = next((cell for cell in cells if cell.col == block[0]), None)
    if label is None:
        sink.warning(
            "MISSING_VALUE",
            f"Sheet {sheet!r} has marks in a row without a study type; the row is ignored.",
            cell_ref(sheet, row_index, block[0]),
        )
        return
    display = label.text.strip()
    key = name_key(display)
    if key in study_rows:
        sink.warning(
            "DUPLICATE_STUDY_TYPE",
            f"Study type {display!r} is listed twice in sheet {sheet!r} (first in row "
            f"{study_rows[key] + 1}); the second row is ignored.",
            cell_ref(sheet, row_index, block[0]),
        )
        return
    study_rows[key] = row_index
    grid.study_types[key] = display
    marked = grid.marks.setdefault(key, set())
    for cell in cells:
        if cell.col == block[0]:
            continue
        position = grid.positions.get(cell.col)
        if cell.text.strip().casefold() != MARK or position is None:
            where = "under no position" if position is None else f"for {position!r}"
            sink.warning(
                "UNEXPECTED_CELL_VALUE",
                f"Unexpected value {cell.text.strip()!r} {where} in sheet {sheet!r} (only x marks "
                "a position); it is ignored.",
                cell_ref(sheet, row_index, cell.col),
            )
            continue
        marked.add(position_key(position))
        grid.mark_lists[position].append(display)
        grid.mark_count += 1


def _report_extra_block(
    sheet: str,
    rows: Sequence[Row],
    block: tuple[int, int],
    first: _Grid,
    result: ValidationResult,
) -> None:
    where = range_ref(sheet, *_bounds(rows, block))
    extra = _read_grid(sheet, rows, block, result, report=False)
    if extra is None:
        result.warning(
            "EXTRA_GRID_BLOCK",
            f"Sheet {sheet!r} has more cells at {where.split('!')[1]}, right of the grid; they "
            "are ignored.",
            where,
        )
        return
    differing, cells = _disagreement(first, extra)
    detail = (
        f"it disagrees with the first grid on {len(differing)} study types ({cells} cells): "
        + ", ".join(differing)
        if differing
        else "it agrees with the first grid"
    )
    result.warning(
        "EXTRA_GRID_BLOCK",
        f"Sheet {sheet!r} has a second grid at {where.split('!')[1]}; only the first grid is "
        f"used, and {detail}.",
        where,
    )


def _disagreement(first: _Grid, extra: _Grid) -> tuple[list[str], int]:
    """The study types whose marks differ between two grids, and the number of cells."""
    positions = {position_key(p) for p in first.positions.values()} | {
        position_key(p) for p in extra.positions.values()
    }
    differing: list[str] = []
    cells = 0
    for key in dict.fromkeys([*first.study_types, *extra.study_types]):
        a, b = first.marks.get(key, set()), extra.marks.get(key, set())
        count = len((a ^ b) & positions)
        if count:
            differing.append(first.study_types.get(key) or extra.study_types[key])
            cells += count
    return differing, cells
