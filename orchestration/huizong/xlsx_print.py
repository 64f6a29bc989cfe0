"""Print setup shared by every workbook the office prints: declared once (``A4_LANDSCAPE``),
applied by whichever library writes the workbook - xlsxwriter for the official tables (fast,
thousands a night), openpyxl for the feedback notices."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrintSetup:
    paper: int = 9  # A4 (the paper codes of the xlsx format)
    landscape: bool = True
    fit_width: int = 1  # pages wide; as many pages tall as it takes
    centred: bool = True
    # inches; the bottom margin leaves room for the page number under CJK text
    left: float = 0.4
    right: float = 0.4
    top: float = 0.6
    bottom: float = 0.8
    footer: float = 0.3


A4_LANDSCAPE = PrintSetup()


def a4_landscape_fit_width(ws, setup: PrintSetup = A4_LANDSCAPE) -> None:
    """Apply ``setup`` to an openpyxl worksheet."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = setup.paper
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if setup.landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = setup.fit_width
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = setup.centred
    ws.page_margins.left, ws.page_margins.right = setup.left, setup.right
    ws.page_margins.top, ws.page_margins.bottom = setup.top, setup.bottom
    ws.page_margins.footer = setup.footer


def apply_xlsxwriter(ws, footer_text: str, setup: PrintSetup = A4_LANDSCAPE) -> None:
    """Apply ``setup`` to an xlsxwriter worksheet, with ``footer_text`` centred in the footer."""
    ws.set_paper(setup.paper)
    if setup.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(setup.fit_width, 0)
    if setup.centred:
        ws.center_horizontally()
    ws.set_margins(left=setup.left, right=setup.right, top=setup.top, bottom=setup.bottom)
    ws.set_footer("&C" + footer_text, {"margin": setup.footer})
