"""The gate on its own: which findings touch which table (no files, no warehouse)."""

from __future__ import annotations

from datetime import date

import pytest

from huizong.export.gate import touches, withheld_reason
from huizong.export.tables import OfficialTable
from huizong.export.warehouse import AreaSpan, Finding, Snapshot

SPANS = {
    "610000000000": [AreaSpan("610000000000", "陕西省", "province", None, 1984, None)],
    "610500000000": [AreaSpan("610500000000", "五源市", "city", "610000000000", 1984, None)],
    "610521000000": [AreaSpan("610521000000", "竹平县", "county", "610500000000", 1984, None)],
    "610522000000": [AreaSpan("610522000000", "上庆县", "county", "610500000000", 1984, None)],
    "610521100000": [AreaSpan("610521100000", "竹堡镇", "township", "610521000000", 1984, None)],
    "610521100201": [AreaSpan("610521100201", "梁家店村", "village", "610521100000", 1984, None)],
}


def snap() -> Snapshot:
    return Snapshot(spans=SPANS, facts={}, progress={}, submissions=[], findings=[])


def table(area: str, period="2018", form="FP1", numbers=None) -> OfficialTable:
    numbers = numbers or {(period, form, "A07"), (period, form, "A03")}
    return OfficialTable(period, form, area, "", "", "", "", "", "", [], [], date(2019, 1, 1), frozenset(numbers))


def finding(area="610521100201", period="2018", inds=("A07",), form="FP1", severity="error", rule="r") -> Finding:
    return Finding(rule, "bounds", severity, period, area, tuple(inds), form, "", "")


@pytest.mark.parametrize("area,hit", [
    ("610521000000", True), ("610500000000", True), ("610000000000", True), ("610522000000", False),
])
def test_a_village_finding_reaches_every_table_above_it(area, hit):
    assert touches(finding(), table(area), snap()) is hit


def test_only_errors_of_the_tables_numbers_and_periods():
    s, t = snap(), table("610521000000")
    assert not touches(finding(severity="warning"), t, s)
    assert touches(finding(severity="ERROR"), t, s)
    assert not touches(finding(inds=("B07",), form="FP2"), t, s)
    assert touches(finding(inds=("A02", "A03"), form="FP2"), t, s)  # a cross-form finding names A03
    assert not touches(finding(period="2018H1"), t, s)
    assert not touches(finding(period=None), t, s) and not touches(finding(area=None), t, s)


def test_a_finding_naming_no_indicator_touches_its_form():
    s, t = snap(), table("610521000000")
    assert touches(finding(inds=(), form="FP1"), t, s)
    assert not touches(finding(inds=(), form="FP3"), t, s)
    assert touches(finding(inds=(), form=None), t, s)


def test_codes_the_registry_does_not_know_are_placed_by_their_digits():
    # an unknown village of 竹堡镇: its code still says where it is
    assert touches(finding(area="610521100299"), table("610521000000"), snap())
    assert not touches(finding(area="610522100299"), table("610521000000"), snap())


def test_reason_lists_rule_ids_and_counts():
    fs = [finding(rule="b"), finding(rule="a"), finding(rule="b")]
    assert withheld_reason(fs) == "3 error findings: a (1), b (2)"
    assert withheld_reason(fs[:1]) == "1 error finding: b (1)"
