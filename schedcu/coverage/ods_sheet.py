"""Spreadsheet sheets as a person reads them, written into an odfpy document: typed cells (numbers,
percentages, dates and date-times as values with a display format), columns as wide as their
content, a frozen header, filter buttons, and a landscape page that prints fitted to its width.

A year of coverage rows is some 400,000 cells. Built as odfpy elements, that takes 15-20 s (an
object per cell, then a walk of all of them for styles), so a sheet's rows are turned into XML
text here, straight from values, as the sheet is added, and written out as the document is saved
(`StreamedTable`), each distinct cell of a column made once. The cell styles they name are
common (named) styles, which odfpy writes whether or not it sees them used; the column and table
styles are automatic styles referenced from real odfpy elements, so odfpy finds them.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from odf.config import (
    ConfigItem,
    ConfigItemMapEntry,
    ConfigItemMapIndexed,
    ConfigItemMapNamed,
    ConfigItemSet,
)
from odf.element import Element
from odf.manifest import FileEntry, Manifest
from odf.namespaces import LOEXTNS, TABLENS
from odf.number import (
    DateStyle,
    Day,
    DayOfWeek,
    Hours,
    Minutes,
    Month,
    Number,
    NumberStyle,
    PercentageStyle,
    Year,
)
from odf.number import Text as NumberText
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import (
    Footer,
    FooterStyle,
    HeaderFooterProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.table import DatabaseRange, DatabaseRanges, TableColumn
from odf.text import P, PageCount, PageNumber, SheetName

from schedcu.ods.cells import cell_name, quote_sheet

# Named cell styles (style:name is an XML name; the display name is what LibreOffice lists).
TITLE, SUBTITLE, HEADING, HEADER = "Title", "Subtitle", "Heading", "Header"
HOURS, COUNT, PERCENT, DATE, DATE_TIME = "Hours", "Count", "Percent", "Date", "DateTime"
# Letter, landscape: the example department is in the United States; fit-to-width printing
# scales the same sheets onto A4 without cutting a column.
PAGE_WIDTH_CM, PAGE_HEIGHT_CM, MARGIN_CM = 27.94, 21.59, 1.2
# Column widths from DejaVu Sans's advance widths (in em at 10 pt, 0.3528 cm): LibreOffice's
# fallback font and the widest of the usual ones, so a column fits in Liberation Sans or Arial too.
CM_PER_EM, BOLD, PADDING_CM = 0.3528, 1.1, 0.35
_EM = {" ": 0.32, **dict.fromkeys(".,:;'|!iljfrt()-", 0.36), **dict.fromkeys("mwMW%", 0.95)}
_EM |= dict.fromkeys("0123456789", 0.64)
_ASCII_EM = {c: _EM.get(c, 0.72 if c.isupper() else 0.6) for c in map(chr, range(32, 127))}
DAY, WEEKEND = "Day", "Weekend"  # a day's column header, upright text turned a quarter
BOLD_STYLES = frozenset({HEADER, HEADING})
# A title runs on over the empty cells after it; a day header stands on its end.
UNMEASURED_STYLES = frozenset({TITLE, SUBTITLE, DAY, WEEKEND})
PACKAGE_TIME = (2000, 1, 1, 0, 0, 0)  # every part's time stamp: the bytes follow the content
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_width_cm(text: str, *, bold: bool = False) -> float:
    """About how wide `text` is at 10 pt (capitals 0.72 em, other letters 0.6 em)."""
    try:
        em = sum(map(_ASCII_EM.__getitem__, text))
    except KeyError:  # beyond ASCII
        em = sum(_ASCII_EM.get(c, 0.72 if c.isupper() else 0.6) for c in text)
    return em * CM_PER_EM * (BOLD if bold else 1.0)


class Share(float):
    """A share (0..1) shown as a percentage."""

    __slots__ = ()


class RoundShare(Share):
    """A share shown as a whole percentage (a Grid cell)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True, eq=False)
class Styled:
    """A cell with a style of its own (a header, a title, a coloured band). Equal only with the
    same type of value: 50 % and 0.5 hours are different cells."""

    value: CellValue
    style: str

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is Styled
            and self.style == other.style
            and type(self.value) is type(other.value)
            and self.value == other.value
        )

    def __hash__(self) -> int:
        return hash((self.style, self.value))


CellValue = str | int | float | dt.date | None
Cell = CellValue | Styled


@dataclass(frozen=True, slots=True)
class BandStyle:
    """A cell style for shares in a band: background colour, percentage format."""

    name: str
    label: str
    colour: str


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet. `header_rows` rows are frozen, repeated on each printed page and, with
    `filter`, carry the filter buttons; `header_columns` columns are frozen and repeated.
    `pages_wide`: the printed width in pages (1: fitted to one page's width)."""

    name: str
    rows: Iterable[Sequence[Cell]]
    header_rows: int = 0
    header_columns: int = 0
    filter: bool = False
    pages_wide: int = 1
    max_chars: int = 48


def _xml_text(value: str) -> str:
    text = _NOT_XML.sub("", value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else "0"


# Each kind of value: its default style, how it is shown, and its value attributes.
def _float(value: float) -> tuple[str, str]:
    return f'office:value-type="float" office:value="{_number(value)}"', f"{value:,.1f}"


def _int(value: int) -> tuple[str, str]:
    return f'office:value-type="float" office:value="{value}"', f"{value:,}"


def _share(value: float) -> tuple[str, str]:
    return (
        f'office:value-type="percentage" office:value="{_number(value)}"',
        f"{value * 100:.1f} %",
    )


def _round_share(value: float) -> tuple[str, str]:
    return f'office:value-type="percentage" office:value="{_number(value)}"', f"{value:.0%}"


def _date(value: dt.date) -> tuple[str, str]:
    return f'office:value-type="date" office:date-value="{value.isoformat()}"', (
        f"{value:%a %d %b %Y}"
    )


def _date_time(value: dt.datetime) -> tuple[str, str]:
    naive = value.replace(tzinfo=None)
    return f'office:value-type="date" office:date-value="{naive.isoformat()}"', (
        f"{value:%a %d %b %H:%M}"
    )


def _string(value: str) -> tuple[str, str]:
    return 'office:value-type="string"', value


_KINDS: dict[type, tuple[str | None, Callable[..., tuple[str, str]]]] = {
    str: (None, _string),
    int: (COUNT, _int),
    float: (HOURS, _float),
    Share: (PERCENT, _share),
    RoundShare: (PERCENT, _round_share),
    dt.date: (DATE, _date),
    dt.datetime: (DATE_TIME, _date_time),
}


def cell_xml(cell: Cell) -> tuple[str, str, str | None]:
    """One `table:table-cell`, the text it shows, and its style (for the column width)."""
    style = None
    value = cell
    if type(cell) is Styled:
        value, style = cell.value, cell.style
    if value is None or value == "":
        if style is None:
            return "<table:table-cell/>", "", None
        return f'<table:table-cell table:style-name="{style}"/>', "", style
    kind = _KINDS.get(type(value))
    if kind is None:  # bool and other types: shown as text
        kind = _KINDS[str]
        value = str(value)
    default_style, convert = kind
    attributes, shown = convert(value)
    style = style or default_style
    styled = f' table:style-name="{style}"' if style else ""
    return (
        f"<table:table-cell{styled} {attributes}><text:p>{_xml_text(shown)}</text:p>"
        "</table:table-cell>",
        shown,
        style,
    )


class StreamedTable(Element):
    """A `table:table` whose rows are written from prepared XML when the document is saved; its
    columns are real odfpy elements, so odfpy sees the column styles they use."""

    def __init__(
        self,
        name: str,
        style: str,
        columns: tuple[list[TableColumn], list[TableColumn]],
        header_rows: int,
    ) -> None:
        super().__init__(qname=(TABLENS, "table"), check_grammar=False)
        self.setAttrNS(TABLENS, "name", name)
        self.setAttrNS(TABLENS, "style-name", style)
        self._name = name
        self._style = style
        self._columns = columns
        self._header_rows = header_rows
        self.rows: list[str] = []
        for column in itertools.chain(*columns):
            self.addElement(column)

    def toXml(self, level: int, f: IO[str]) -> None:  # noqa: N802 (odfpy's name)
        name = _xml_text(self._name).replace('"', "&quot;")
        f.write(f'<table:table table:name="{name}" table:style-name="{self._style}">')
        head, rest = self._columns
        if head:
            f.write("<table:table-header-columns>")
            for column in head:
                column.toXml(level + 1, f)
            f.write("</table:table-header-columns>")
        for column in rest:
            column.toXml(level + 1, f)
        if self._header_rows:
            f.write("<table:table-header-rows>")
            f.writelines(self.rows[: self._header_rows])
            f.write("</table:table-header-rows>")
        f.writelines(self.rows[self._header_rows :])  # no 38 MB join for a year
        f.write("</table:table>")


class Workbook:
    """An .ods being built: shared styles, then sheets in order, then `save`."""

    def __init__(self, *, footer: str, bands: Sequence[BandStyle] = ()) -> None:
        self.document = OpenDocumentSpreadsheet()
        self._footer = footer
        self._column_styles: dict[str, Style] = {}
        self._table_styles: dict[int, str] = {}
        self._frozen: list[tuple[str, int, int]] = []
        self._filters: list[tuple[int, str, int, int]] = []  # sheet index, name, height, width
        _add_cell_styles(self.document, bands)

    def add(self, sheet: Sheet) -> None:
        """Serialise `sheet`'s rows now and add the sheet (widths need every row first)."""
        # A year repeats most cells (study types, statuses, segment times) many times: each
        # distinct cell of a column is made and measured once. The type is checked, as
        # 1 == 1.0 == True: a column that mixes them makes its cells again.
        made: list[dict[Cell, tuple[type, str]]] = []
        widths: list[float] = []
        rows: list[str] = []
        for values in sheet.rows:
            if len(values) > len(made):
                made.extend({} for _ in range(len(values) - len(made)))
                widths.extend(0.0 for _ in range(len(values) - len(widths)))
            cells = []
            for index, cell in enumerate(values):
                known = made[index].get(cell)
                if known is None or known[0] is not type(cell):
                    xml, width = self._made(cell, sheet.max_chars)
                    known = made[index][cell] = (type(cell), xml)
                    widths[index] = max(widths[index], width)
                cells.append(known[1])
            rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        table = StreamedTable(
            sheet.name,
            self._table_style(sheet.pages_wide),
            self._columns(widths, sheet.header_columns),
            sheet.header_rows,
        )
        table.rows = rows
        self.document.spreadsheet.addElement(table)
        if sheet.header_rows or sheet.header_columns:
            self._frozen.append((sheet.name, sheet.header_rows, sheet.header_columns))
        if sheet.filter and rows:
            index = len(self.document.spreadsheet.childNodes) - 1
            self._filters.append((index, sheet.name, len(rows), len(widths)))

    def _columns(
        self, widths: list[float], head: int
    ) -> tuple[list[TableColumn], list[TableColumn]]:
        """The header columns and the others as elements, neighbours of one width as one
        repeated element (a year's Grid has 365 day columns)."""
        parts: tuple[list[TableColumn], list[TableColumn]] = ([], [])
        for columns, part in zip(parts, (widths[:head], widths[head:]), strict=True):
            for width, run in itertools.groupby(round(max(w, 1.0), 1) for w in part):
                count = sum(1 for _ in run)
                column = TableColumn(stylename=self._column_style(width))
                if count > 1:
                    column.setAttrNS(TABLENS, "number-columns-repeated", str(count))
                columns.append(column)
        return parts

    @staticmethod
    def _made(cell: Cell, max_chars: int) -> tuple[str, float]:
        """A cell's XML and the column width it needs (0 for a title or a turned header). A
        header is never cut, however long; other text counts up to `max_chars` characters."""
        xml, shown, style = cell_xml(cell)
        if style in UNMEASURED_STYLES or not shown:
            return xml, 0.0
        bold = style in BOLD_STYLES
        text = shown if bold else shown[:max_chars]
        return xml, text_width_cm(text, bold=bold) + PADDING_CM

    def save(self, path: Path) -> None:
        if self._filters:
            ranges = DatabaseRanges()
            for index, name, height, width in self._filters:
                end = cell_name(height - 1, width - 1)
                ranges.addElement(
                    DatabaseRange(
                        # LibreOffice's name for a sheet's own filter range
                        name=f"__Anonymous_Sheet_DB__{index}",
                        targetrangeaddress=f"{quote_sheet(name)}.A1:{quote_sheet(name)}.{end}",
                        displayfilterbuttons="true",
                    )
                )
            self.document.spreadsheet.addElement(ranges)
        if self._frozen:
            self.document.settings.addElement(_view_settings(self._frozen))
        write_package(self.document, path)

    def _column_style(self, width_cm: float) -> Style:
        name = f"co{round(width_cm * 10)}"
        if name not in self._column_styles:
            style = Style(name=name, family="table-column")
            style.addElement(
                TableColumnProperties(columnwidth=f"{round(width_cm, 1)}cm", breakbefore="auto")
            )
            self.document.automaticstyles.addElement(style)
            self._column_styles[name] = style
        return self._column_styles[name]

    def _table_style(self, pages_wide: int) -> str:
        """A table style whose master page prints landscape, `pages_wide` pages across."""
        if pages_wide not in self._table_styles:
            layout = PageLayout(name=f"pl{pages_wide}")
            properties = PageLayoutProperties(
                printorientation="landscape",
                pagewidth=f"{PAGE_WIDTH_CM}cm",
                pageheight=f"{PAGE_HEIGHT_CM}cm",
                margintop=f"{MARGIN_CM}cm",
                marginbottom=f"{MARGIN_CM}cm",
                marginleft=f"{MARGIN_CM}cm",
                marginright=f"{MARGIN_CM}cm",
                printpageorder="ltr",
            )
            properties.setAttrNS(LOEXTNS, "scale-to-X", str(pages_wide))
            properties.setAttrNS(LOEXTNS, "scale-to-Y", "0")
            layout.addElement(properties)
            footer_style = FooterStyle()
            footer_style.addElement(HeaderFooterProperties(minheight="0.6cm", margintop="0.25cm"))
            layout.addElement(footer_style)
            self.document.automaticstyles.addElement(layout)
            master = MasterPage(name=f"Landscape{pages_wide}", pagelayoutname=layout)
            master.addElement(self._footer_element())
            self.document.masterstyles.addElement(master)
            table = Style(name=f"ta{pages_wide}", family="table", masterpagename=master)
            table.addElement(TableProperties(display="true", writingmode="lr-tb"))
            self.document.automaticstyles.addElement(table)
            self._table_styles[pages_wide] = f"ta{pages_wide}"
        return self._table_styles[pages_wide]

    def _footer_element(self) -> Footer:
        """`<title> · <sheet> · page 2 of 5` at the foot of each printed page."""
        footer = Footer()
        line = P()
        line.addText(f"{self._footer} · ")
        line.addElement(SheetName())
        line.addText(" · page ")
        line.addElement(PageNumber())
        line.addText(" of ")
        line.addElement(PageCount())
        footer.addElement(line)
        return footer


def write_package(document: OpenDocumentSpreadsheet, path: Path) -> None:
    """The document as an .ods at `path`, from odfpy's own XML of each part.

    Not `document.save`: that deflates at zlib's default level, a third of a year's writing
    (38 MB of content.xml), and stamps each part with the clock. Here the level is 3 (as fast
    as 1, 1.7x the size of 6), the time stamp fixed, so one calculation always gives the same
    bytes; the file appears whole or not at all (written aside, then renamed).
    """
    parts = [
        ("styles.xml", document.stylesxml().encode("utf-8")),
        ("content.xml", document.contentxml()),
        ("meta.xml", document.metaxml().encode("utf-8")),
    ]
    if document.settings.hasChildNodes():
        parts.append(("settings.xml", document.settingsxml().encode("utf-8")))
    manifest = Manifest()
    manifest.addElement(FileEntry(fullpath="/", mediatype=document.mimetype))
    for name, _ in parts:
        manifest.addElement(FileEntry(fullpath=name, mediatype="text/xml"))
    listing = io.StringIO()
    listing.write("<?xml version='1.0' encoding='UTF-8'?>\n")
    manifest.toXml(0, listing)
    parts.append(("META-INF/manifest.xml", listing.getvalue().encode("utf-8")))
    partial = path.with_name(f".{path.name}.part")
    with zipfile.ZipFile(partial, "w") as archive:
        # The mimetype first and stored, so a reader knows the file by its first bytes.
        archive.writestr(_entry("mimetype", zipfile.ZIP_STORED), document.mimetype)
        for name, data in parts:
            archive.writestr(_entry(name, zipfile.ZIP_DEFLATED), data, compresslevel=3)
    partial.replace(path)


def _entry(name: str, compression: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=PACKAGE_TIME)
    entry.compress_type = compression
    entry.external_attr = 0o100644 << 16  # -rw-r--r--
    return entry


def _view_settings(frozen: list[tuple[str, int, int]]) -> ConfigItemSet:
    """settings.xml: each sheet's header rows and columns frozen (split mode 2 = freeze)."""
    tables = ConfigItemMapNamed(name="Tables")
    for name, rows, columns in frozen:
        entry = ConfigItemMapEntry(name=name)
        for key, kind, value in (
            ("HorizontalSplitMode", "short", 2 if columns else 0),
            ("VerticalSplitMode", "short", 2 if rows else 0),
            ("HorizontalSplitPosition", "int", columns),
            ("VerticalSplitPosition", "int", rows),
            ("ActiveSplitRange", "short", 2),
            ("PositionLeft", "int", 0),
            ("PositionRight", "int", columns),
            ("PositionTop", "int", 0),
            ("PositionBottom", "int", rows),
        ):
            item = ConfigItem(name=key, type=kind)
            item.addText(str(value))
            entry.addElement(item)
        tables.addElement(entry)
    view = ConfigItemMapEntry()
    view_id = ConfigItem(name="ViewId", type="string")
    view_id.addText("view1")
    view.addElement(view_id)
    view.addElement(tables)
    views = ConfigItemMapIndexed(name="Views")
    views.addElement(view)
    settings = ConfigItemSet(name="ooo:view-settings")
    settings.addElement(views)
    return settings


def _add_cell_styles(document: OpenDocumentSpreadsheet, bands: Sequence[BandStyle]) -> None:
    """The named cell styles and the number formats they show values with."""
    styles = document.styles

    def data_style(element: Element, *parts: Element) -> Element:
        for part in parts:
            element.addElement(part)
        styles.addElement(element)
        return element

    def text(value: str) -> NumberText:
        return NumberText(text=value)

    hours = data_style(
        NumberStyle(name="N-hours"), Number(decimalplaces=1, minintegerdigits=1, grouping="true")
    )
    count = data_style(NumberStyle(name="N-count"), Number(decimalplaces=0, minintegerdigits=1))
    percent = data_style(
        PercentageStyle(name="N-percent"),
        Number(decimalplaces=1, minintegerdigits=1),
        text(" %"),
    )
    whole_percent = data_style(
        PercentageStyle(name="N-whole-percent"),
        Number(decimalplaces=0, minintegerdigits=1),
        text("%"),
    )

    def day(*more: Element) -> list[Element]:
        """`Sat 14 Mar`, then `more`."""
        return [
            DayOfWeek(style="short"),
            text(" "),
            Day(style="long"),
            text(" "),
            Month(textual="true", style="short"),
            *more,
        ]

    date = data_style(DateStyle(name="N-date"), *day(text(" "), Year(style="long")))
    day_only = data_style(DateStyle(name="N-day"), *day())
    date_time = data_style(
        DateStyle(name="N-date-time"),
        *day(text(" "), Hours(style="long"), text(":"), Minutes(style="long")),
    )

    def cell_style(
        name: str,
        *,
        display: str | None = None,
        number: Element | None = None,
        bold: bool = False,
        size: str | None = None,
        background: str | None = None,
        centred: bool = False,
        left: bool = False,
        turned: bool = False,
    ) -> None:
        style = Style(
            name=name,
            displayname=display or name,
            family="table-cell",
            parentstylename="Default",
            **({"datastylename": number} if number is not None else {}),
        )
        if background or turned:
            style.addElement(
                TableCellProperties(
                    **({"backgroundcolor": background} if background else {}),
                    **({"rotationangle": "90", "verticalalign": "bottom"} if turned else {}),
                )
            )
        if centred or left:
            style.addElement(ParagraphProperties(textalign="center" if centred else "start"))
        if bold or size:
            style.addElement(
                TextProperties(
                    **({"fontweight": "bold"} if bold else {}),
                    **({"fontsize": size} if size else {}),
                )
            )
        styles.addElement(style)

    default = Style(name="Default", family="table-cell")
    # A little air on both sides, so a right-aligned number never touches the text after it.
    default.addElement(TableCellProperties(paddingleft="0.1cm", paddingright="0.1cm"))
    styles.addElement(default)
    cell_style(TITLE, bold=True, size="14pt")
    cell_style(SUBTITLE, size="10pt")
    cell_style(HEADING, bold=True, size="11pt")
    cell_style(HEADER, bold=True, background="#dddddd")
    cell_style(HOURS, number=hours)
    cell_style(COUNT, number=count)
    cell_style(PERCENT, number=percent)
    cell_style(DATE, number=date, left=True)  # under its header, like the text columns
    cell_style(DATE_TIME, display="Date and time", number=date_time, left=True)
    cell_style(DAY, bold=True, background="#dddddd", number=day_only, turned=True)
    cell_style(WEEKEND, bold=True, background="#b4c7dc", number=day_only, turned=True)
    for band in bands:
        cell_style(
            band.name,
            display=band.label,
            number=whole_percent,
            background=band.colour,
            centred=True,
        )
