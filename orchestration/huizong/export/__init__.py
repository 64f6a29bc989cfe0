"""The official tables (FORMS.md section 6): built from the marts and the catalog, gated by
``marts.dq_issues``, written as ``EXPORTS/<period>/<form_code>_<area_code>.xlsx`` and ``.csv``.

Modules, in the order data flows through them:
- ``warehouse``  reads one snapshot of the marts (areas, facts, progress, findings, submissions);
- ``tables``     which tables exist and their rows and columns (no layout);
- ``gate``       which error findings touch a table;
- ``grid``       the official form layout as a grid of cells, shared by both writers;
- ``xlsx`` / ``csvfile``  the two writers;
- ``log``        ``marts.export_log``;
- ``publish``    ``export_all`` and ``release``.
"""

from huizong.export.publish import ExportSummary, TableOutcome, export_all, release

__all__ = ["ExportSummary", "TableOutcome", "export_all", "release"]
