"""Periods and dates in words, rounding, header line breaks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from huizong.export.grid import break_label
from huizong.export.text import csv_safe, date_in_words, display_width, period_in_words, round_value


def test_period_and_date_in_words():
    assert [period_in_words(p) for p in ("2018", "2018H1", "2018H2")] == ["2018年", "2018年1-6月", "2018年7-12月"]
    assert date_in_words(date(2019, 1, 10)) == "2019年1月10日"
    with pytest.raises(ValueError):
        period_in_words("2018Q1")


@pytest.mark.parametrize("value,dec,out", [
    (2.675, 2, "2.68"), (0.125, 2, "0.13"), (1498.0, 0, "1498"), (2.5, 0, "3"), (-2.5, 0, "-3"),
    (-0.001, 2, "0.00"), (23.71794, 2, "23.72"), (1e-12, 1, "0.0"),
])
def test_rounding_half_away_from_zero_on_the_written_value(value, dec, out):
    assert str(round_value(value, dec)) == out


def test_blank_for_missing_values():
    assert round_value(None, 2) is None and round_value(float("nan"), 2) is None
    assert round_value(5, 0) == Decimal(5)


def test_csv_safe_and_widths():
    assert [csv_safe(t) for t in ("=A1", "+1", "-1", "@x", "合计")] == ["'=A1", "'+1", "'-1", "'@x", "合计"]
    assert display_width("总户数(户)") == 10


def test_header_labels_break_without_stubs():
    assert break_label("总户数", "(户)") == ["总户数(户)"]
    assert break_label("村民小组数", "(个)") == ["村民小组数", "(个)"]
    assert break_label("群众自筹(含投劳折资)", "(万元)") == ["群众自筹", "(含投劳折资)", "(万元)"]
    assert break_label("医疗救助人次", "(人次)", room=6) == ["医疗救助", "人次(人次)"]
    for room in (10, 8, 6, 4):
        for label in ("农村居民人均纯收入", "其中:因病致贫", "年度减贫人数目标"):
            lines = break_label(label, "(元)", room)
            assert "".join(lines) == label + "(元)"
            assert all(display_width(x) > 2 for x in lines)  # no lone ")" or single stub
