"""Print setup shared by every workbook the office prints (official tables, feedback)."""

from __future__ import annotations

from openpyxl.worksheet.properties import PageSetupProperties


def a4_landscape_fit_width(ws) -> None:
    """A4 landscape, one page wide, centred, with room for the page number under CJK text."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.8
    ws.page_margins.footer = 0.3
