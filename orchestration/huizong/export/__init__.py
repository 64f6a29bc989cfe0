"""The official tables (FORMS.md section 6): built from the marts and the catalog, gated by
``marts.dq_issues``, written as ``EXPORTS/<period>/<form_code>_<area_code>.xlsx`` and ``.csv``.

    from huizong.export import export_all, release
    summary = export_all(con, exports_dir)              # the nightly step; needs a writable con
    release(con, exports_dir, "2018", "FP1", "610521000000", reason="...", released_by="...")

Modules, in the order data flows through them:
- ``warehouse``  one read of the marts: areas, facts, target progress, findings, submissions;
- ``tables``     which tables exist, their rows and columns, the numbers each contains;
- ``gate``       which error findings touch a table;
- ``grid``       the official form layout as a grid of cells, shared by both writers;
- ``xlsx`` / ``csvfile``  the two writers;
- ``log``        ``marts.export_log`` (the only thing exports write in the warehouse);
- ``publish``    ``export_all`` and ``release``.

Decisions:
- Tables: FP1..FP4 for every period in ``fct_area_indicator`` (FP4's annual = H1 + H2
  included), per county/city/province valid in the period's year that has any figure for
  the form; rows = ``合计`` (the area's own mart value, its code in 区划代码) then the areas
  directly under it valid that year, by code. FPT per county and city for ``YYYY`` and
  ``YYYYH1``: target, actual, progress (the mart's actual/target, published in %), and at H1
  a 双过半 column per target (是 when progress >= 50%). A county's FPT table has only its
  合计 row. Title of the progress table: the catalog title + ``完成情况``.
- Labels, groups, units, decimals, 表号 and titles come from the catalog; each column label
  carries its unit (``总人口(人)``); a flag column, a count of villages above the village
  level, shows ``(个)``.
- 制定机关: the text most townships wrote for that form (ties alphabetical), else the top
  area of the registry + the catalog's ``issuer_suffix``. 报出日期: the latest report_date of
  the active submissions of the table's forms and periods from the area or below (and the
  city's target workbook for FPT); when none, the day the warehouse last read a file
  (``raw.files.read_at``), then ``export_date``/today. So it is fixed for a warehouse.
- Figures are rounded half away from zero on their shortest decimal form (2.675 -> 2.68);
  the xlsx stores the rounded number with a format showing exactly its decimals; the CSV
  writes the same digits. A NULL is a blank cell.
- Gate (see ``gate``): error findings at the area or below, naming one of the table's
  numbers for one of its periods (FP4 annual: both halves; FPT: the targets and the actual
  indicators A18/B07/C03), or naming no indicator but the form. Warnings never withhold.
  Without ``marts.dq_issues`` the export refuses to run (fails closed).
- Release lasts until the data changes: the log keeps a fingerprint of the CSV bytes and the
  blocking findings; a later export with the same fingerprint keeps the table released (and
  written); any change lapses it, and the table is gated again (the lapsed release is named
  in the new reason). A withheld table's old files are removed; the folder holds exactly
  what is published.
- Incremental: every table is laid out and fingerprinted each run (cheap), but its files are
  only written when its fingerprint, status, path or the layout code changed since the log's
  row, or a file on disk is missing or not what was written (the CSV is compared, the xlsx
  hashed against ``export_log.xlsx_sha256``). The log gets one row per table every run.
  More than ``publish.PARALLEL_MIN`` tables are laid out and written by a pool of 2 processes.
  ``plan_tables`` (the gate) leaves its plan for ``export_all`` when the data is unchanged.
- xlsx and CSV hold the same cells; only header line breaks are xlsx-only. Text that starts
  with ``= + - @`` (tab, CR) is a string cell in xlsx and gets a leading ``'`` in CSV.
"""

from huizong.export.publish import ExportSummary, NoSuchTable, TableOutcome, export_all, release

__all__ = ["ExportSummary", "NoSuchTable", "TableOutcome", "export_all", "release"]
