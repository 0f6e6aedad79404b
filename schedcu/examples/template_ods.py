"""Write the example department's coverage template as a real matrix .ods (odfpy).

Each sheet of `schedcu.examples.data.SHEETS` becomes a sheet of the same name: a header row of
call positions, then one row per study type with an `x` under each position that reads it.
"""

from __future__ import annotations

from pathlib import Path

from schedcu.examples.data import SHEETS, STUDY_TYPES


def write_example_template(path: Path) -> Path:
    """Write the example template to `path` and return it."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    def cell(text: str = "") -> TableCell:
        element = TableCell(valuetype="string") if text else TableCell()
        if text:
            element.addElement(P(text=text))
        return element

    document = OpenDocumentSpreadsheet()
    for sheet_name, marks in SHEETS.items():
        table = Table(name=sheet_name)
        header = TableRow()
        header.addElement(cell())
        for position in marks:
            header.addElement(cell(position))
        table.addElement(header)
        for study_type in STUDY_TYPES:
            row = TableRow()
            row.addElement(cell(study_type))
            for reads in marks.values():
                row.addElement(cell("x" if study_type in reads else ""))
            table.addElement(row)
        document.spreadsheet.addElement(table)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
