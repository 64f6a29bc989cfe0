"""The publication gate: which error findings of ``marts.dq_issues`` touch a table.

The gate asks the findings; it never re-checks a number. A finding touches a table when
- its severity is ``error`` (warnings, e.g. FPT's plausibility finding on H1 progress, never
  withhold anything);
- its area is the publishing area or lies below it (``area_code`` - or ``township_code`` when
  the area is unknown - followed up the registry's parent chain);
- it names one of the table's numbers: one of its indicators for one of the periods the
  table's figures come from (an FP4 annual table is H1 + H2, so findings of either half
  touch it; a progress table holds the annual targets and the period's actuals); a finding
  naming no indicator touches every table of its form and period (a missing village, a
  conflict), and one naming neither form nor indicator every table of its period.
A finding with no period or no area cannot be placed and touches no table.
"""

from __future__ import annotations

from collections import Counter

from huizong.export.tables import OfficialTable
from huizong.export.warehouse import Finding, Snapshot


def touches(finding: Finding, table: OfficialTable, snap: Snapshot) -> bool:
    if not finding.is_error or not finding.period or not finding.area_code:
        return False
    if finding.area_code != table.area_code and table.area_code not in snap.ancestors(finding.area_code):
        return False
    numbers = [n for n in table.numbers if n[0] == finding.period]
    if not numbers:
        return False
    if finding.indicator_codes:
        named = set(finding.indicator_codes)
        return any(ind in named for _, _, ind in numbers)
    if finding.form_code:
        return any(form == finding.form_code for _, form, _ in numbers)
    return True


def blocking_findings(table: OfficialTable, snap: Snapshot) -> list[Finding]:
    return [f for f in snap.findings if touches(f, table, snap)]


def withheld_reason(findings: list[Finding]) -> str:
    """``3 error findings: bounds_negative (1), ratio_recompute (2)`` - rule ids by name."""
    counts = Counter(f.rule_id for f in findings)
    listed = ", ".join(f"{rule} ({n})" for rule, n in sorted(counts.items()))
    return f"{len(findings)} error finding{'s' if len(findings) != 1 else ''}: {listed}"
