"""The relation language of the declarations, evaluated by DuckDB on constants."""

import duckdb
import pytest

from huizong.dq.relation import RelationError, parse_relation


def evaluate(text, tolerance=0.0, **values):
    rel = parse_relation(text, column=lambda c: repr(float(values[c])) if values[c] is not None else "NULL::double")
    sql = f"select {rel.failure_sql(tolerance)}, {rel.observed.sql}, {rel.expected_sql(tolerance)}"
    return duckdb.connect().execute(sql).fetchone()


def test_codes_precedence_and_sides():
    rel = parse_relation("A08 = 100 * A07 / A03")
    assert rel.codes == ("A08", "A07", "A03")
    assert rel.observed.text == "A08" and rel.rhs_text == "100 * A07 / A03"
    assert rel.rhs_codes == ("A07", "A03")
    failed, observed, expected = evaluate("A08 = 100 * A07 / A03", 0.05, A08=25.0, A07=1, A03=4)
    assert failed is False and observed == 25.0 and expected == 25.0
    assert evaluate("A01 = (A02 + A03) * 2", A01=10, A02=2, A03=3)[0] is False
    assert evaluate("A01 = A02 - -A03", A01=5, A02=2, A03=3)[0] is False


def test_comparisons_with_tolerance():
    assert evaluate("C03 <= C02", 0.01, C03=100.01, C02=100.0)[0] is False
    assert evaluate("C03 <= C02", 0.01, C03=100.02, C02=100.0)[0] is True
    assert evaluate("A07 >= A03", 0, A07=5, A03=5)[0] is False
    assert evaluate("A07 > A03", 0, A07=5, A03=5)[0] is True
    assert evaluate("A07 < A03", 0, A07=4, A03=5)[0] is False


def test_chain_reports_the_middle_and_the_violated_bound():
    failed, observed, expected = evaluate("1.5 <= A03 / A02 <= 8", A03=90, A02=10)
    assert (failed, observed, expected) == (True, 9.0, 8.0)
    failed, observed, expected = evaluate("1.5 <= A03 / A02 <= 8", A03=12, A02=10)
    assert (failed, observed, expected) == (True, 1.2, 1.5)
    assert evaluate("1.5 <= A03 / A02 <= 8", A03=30, A02=10)[0] is False


def test_zero_denominator_is_unknown_not_a_failure():
    assert evaluate("A08 = 100 * A07 / A03", 0.05, A08=5.0, A07=0, A03=0)[0] is None


@pytest.mark.parametrize(
    "text", ["A06 = ", "A06 A09", "= A06", "A06 = A09 +", "A06 = (A09", "1 = 2", "A06 = Z99", "A06 = A09 = A11 = A13", "A06 ~ A09"]
)
def test_bad_relations_are_rejected(text):
    from huizong.catalog import default_catalog

    with pytest.raises(RelationError):
        parse_relation(text, known_codes=default_catalog().indicators)
