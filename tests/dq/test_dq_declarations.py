"""The declarations as data: every family has its file, every declaration loads, the ratio
relations agree with the catalog, and malformed declarations are refused with a reason."""

import pytest
import yaml

from huizong.catalog import default_catalog
from huizong.dq import RULES_DIR, DeclarationError, load_rules
from huizong.dq.declarations import FAMILIES, parse_declaration
from huizong.dq.relation import parse_relation

CATALOG = default_catalog()


def test_one_file_per_family_and_every_rule_in_its_family():
    files = {p.stem for p in RULES_DIR.glob("*.yml")}
    assert files == set(FAMILIES)
    rules = load_rules()
    assert {r.family for r in rules} == set(FAMILIES)
    for r in rules:
        assert r.source == f"{r.family}.yml", r.id
        assert r.severity == ("warning" if r.family == "plausibility" else "error"), r.id
        assert r.message


def test_balances_of_forms_md():
    relations = {r.relation.text for r in load_rules() if r.family == "balance"}
    assert relations == {
        "A06 = A09 + A11 + A13 + A15", "A07 = A10 + A12 + A14 + A16", "B01 = B02 + B03",
        "C02 = C05 + C06 + C07 + C08", "D01 = D03 + D05 + D07 + D09 + D11", "D02 = D04 + D06 + D08 + D10 + D12",
    }


def test_every_catalog_ratio_has_a_ratio_rule_matching_its_definition():
    ratios = {i.code: i for i in CATALOG.indicators.values() if i.kind == "ratio"}
    rules = {r.relation.observed.text: r for r in load_rules() if r.family == "ratio"}
    assert set(rules) == set(ratios)
    for code, ind in ratios.items():
        rule = rules[code]
        scale = "" if ind.scale == 1 else f"{ind.scale:g} * "
        assert rule.relation.text == f"{code} = {scale}{ind.numerator} / {ind.denominator}"
        assert rule.tolerance == (0.005 if ind.unit != "%" else 0.05)


def test_selectors_resolve_against_the_catalog():
    rules = {r.id: r for r in load_rules()}
    assert rules["hierarchy.flag_count"].indicators == ("A21",)
    assert "A08" not in rules["hierarchy.total_row"].indicators and "A19" not in rules["hierarchy.total_row"].indicators
    assert set(rules["cross_period.h1_le_annual"].indicators) == {
        i.code for i in CATALOG.indicators.values() if i.kind == "flow" and i.form_code in ("FP1", "FP2", "FP3")
    }
    counts = rules["bounds.non_integer_count"].indicators
    assert "A02" in counts and "C02" not in counts and "A04" not in counts


BASE = {"id": "x.y", "family": "balance", "severity": "error", "message": "m", "indicators": ["B01", "B02", "B03"],
        "relation": "B01 = B02 + B03", "tolerance": 0.01}


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"family": "nonsense"}, "family"),
        ({"severity": "fatal"}, "severity"),
        ({"indicators": ["B01", "B02"]}, "differ"),
        ({"relation": "B01 = B02 + Q99"}, "not an indicator"),
        ({"colour": "red"}, "unknown keys"),
        ({"check": "subsidy_standard"}, "exactly one"),
        ({"anchor": "A01"}, "anchor"),
        ({"tolerance": "tiny"}, "tolerance"),
        ({"row_kinds": ["hamlet"]}, "row_kinds"),
    ],
)
def test_bad_declarations_are_refused(change, reason):
    with pytest.raises(DeclarationError, match=reason):
        parse_declaration({**BASE, **change}, CATALOG, "t.yml")


def test_bad_checks_are_refused():
    decl = {"id": "c", "family": "bounds", "severity": "error", "message": "m", "indicators": []}
    with pytest.raises(DeclarationError, match="not a template"):
        parse_declaration({**decl, "check": "no_such_template"}, CATALOG, "t.yml")
    with pytest.raises(DeclarationError, match="takes no params"):
        parse_declaration({**decl, "check": "negative_value", "params": {"colour": 1}}, CATALOG, "t.yml")
    with pytest.raises(DeclarationError, match="matches nothing"):
        parse_declaration({**decl, "check": "negative_value", "indicators": {"kinds": ["nope"]}}, CATALOG, "t.yml")


def test_duplicate_ids_across_files_are_refused(tmp_path):
    for name in ("a.yml", "b.yml"):
        (tmp_path / name).write_text(yaml.safe_dump({"rules": [BASE]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DeclarationError, match="already declared"):
        load_rules(tmp_path)


def test_unknown_message_placeholder_is_refused_when_compiled(wh):
    rule = parse_declaration({**BASE, "message": "{nonsense}"}, CATALOG, "t.yml")
    with pytest.raises(DeclarationError, match="unknown placeholder"):
        wh.run(rules=[rule])


def test_relation_texts_parse_with_the_catalog():
    for r in load_rules():
        if r.relation is not None:
            parse_relation(r.relation.text, known_codes=CATALOG.indicators)
