"""The coverage report as an .ods spreadsheet, written with odfpy: a `Summary` sheet (overall
percentage, hours per status, per study type / site / category, the longest gaps) and a `Rows`
sheet (the rows of the .csv, with dates and numbers as real cell values).

A year of rows is some 300,000 cells. Built as odfpy elements, that takes 15-20 s (an object per
cell, then a walk of all of them for styles), so the Rows sheet is an odfpy `Element` that
serialises its own rows as it is written; everything else is plain odfpy.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from odf.element import Element
from odf.namespaces import TABLENS
from odf.number import DateStyle, Day, Month, Year
from odf.number import Text as NumberText
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableColumnProperties, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P

from schedcu.coverage.table import Cell

DATE_STYLE = "Date"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SummaryRows = Iterable[Sequence[Cell]]


def _text(value: object) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def cell_xml(value: Cell) -> str:
    """One `table:table-cell`: numbers and dates as values, the rest as text."""
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell table:style-name="{DATE_STYLE}" office:value-type="date" '
            f'office:date-value="{value.isoformat()}">'
            f"<text:p>{value.isoformat()}</text:p></table:table-cell>"
        )
    return (
        '<table:table-cell office:value-type="string">'
        f"<text:p>{_text(value)}</text:p></table:table-cell>"
    )


class StreamedTable(Element):
    """A `table:table` whose rows are written straight from values when the document is saved."""

    def __init__(self, name: str, rows: Iterable[Sequence[Cell]]) -> None:
        super().__init__(qname=(TABLENS, "table"), check_grammar=False)
        self.setAttrNS(TABLENS, "name", name)
        self._name = name
        self._rows = rows

    def toXml(self, level: int, f: IO[str]) -> None:  # noqa: N802 (odfpy's name)
        name = quoteattr(_NOT_XML.sub("", self._name))
        f.write(f"<table:table table:name={name}>")
        for values in self._rows:
            f.write("<table:table-row>")
            f.write("".join(cell_xml(value) for value in values))
            f.write("</table:table-row>")
        f.write("</table:table>")


def _add_date_style(document: OpenDocumentSpreadsheet) -> None:
    """A named cell style showing dates as 2026-03-14 (a common style: the streamed rows refer
    to it by name, and odfpy writes common styles whether or not it sees them used)."""
    iso = DateStyle(name="iso-date")
    iso.addElement(Year(style="long"))
    iso.addElement(NumberText(text="-"))
    iso.addElement(Month(style="long"))
    iso.addElement(NumberText(text="-"))
    iso.addElement(Day(style="long"))
    document.styles.addElement(iso)
    document.styles.addElement(Style(name=DATE_STYLE, family="table-cell", datastylename=iso))


def _summary_table(document: OpenDocumentSpreadsheet, rows: SummaryRows) -> Table:
    bold = Style(name="heading", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    wide = Style(name="wide", family="table-column")
    wide.addElement(TableColumnProperties(columnwidth="6cm"))
    document.automaticstyles.addElement(bold)
    document.automaticstyles.addElement(wide)
    table = Table(name="Summary")
    table.addElement(TableColumn(stylename=wide))
    for values in rows:
        row = TableRow()
        heading = len(values) == 1
        for value in values:
            if value is None or value == "":
                row.addElement(TableCell())
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell = TableCell(valuetype="float", value=value)
            elif isinstance(value, dt.date):
                cell = TableCell(
                    valuetype="date", datevalue=value.isoformat(), stylename=DATE_STYLE
                )
            else:
                cell = TableCell(valuetype="string", stylename=bold if heading else None)
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    return table


def write_ods(
    path: Path,
    *,
    summary_rows: SummaryRows,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
) -> Path:
    """An .ods with the Summary sheet (`summary_rows`, a one-cell line is a heading) and the
    Rows sheet (`header`, then `rows`)."""
    document = OpenDocumentSpreadsheet()
    _add_date_style(document)
    document.spreadsheet.addElement(_summary_table(document, summary_rows))
    document.spreadsheet.addElement(StreamedTable("Rows", itertools.chain([header], rows)))
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
