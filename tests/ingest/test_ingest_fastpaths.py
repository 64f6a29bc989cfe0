"""The reader's fast paths give exactly what the plain definitions give."""

from __future__ import annotations

import random

from ingest_kit import AREAS, CAT, FP2_LONGQUAN, form, parse, registry

from huizong.ingest.text import ctext, fast_compact, fast_simplify
from huizong.ingest.units import Resolver
from huizong.ingest.values import ColumnParser, parse_cell, parse_text
from huizong.normalize import compact, simplify
from huizong.registry import code12

PIECES = ["1498", "１４９８", "1,498", "1498人", "76.4%", "76.4", "—", "-", "/", "无", "是", "否", "Y", "N", "1", "0", " ", "",
          "  12 ", "12.5万元", "2641600元", "3人次", "待定", "0.764", "１，２３４", "２１．６", "－", "--", "\\", "×", "√", "true",
          "贫困村", "非贫困村", "1e3", "+5", ".5", "5.", "合计", "12公顷", "12亩", "8个", "-19", "貧困戶", "總計", "有序", "沈默"]


def _texts(n: int, seed: int):
    r = random.Random(seed)
    for _ in range(n):
        s = r.choice(PIECES)
        if r.random() < 0.3:
            s += r.choice(PIECES)
        yield s


def test_column_parser_matches_parse_cell():
    r = random.Random(3)
    inds = list(CAT.indicators.values())
    for text in _texts(20000, 1):
        ind, factor = r.choice(inds), r.choice([1.0, 0.0001, 15.0])
        pct, total = r.random() < 0.3, r.random() < 0.3
        for value in (text, r.choice([0.0, 1.0, 3.0, 0.764, 76.4, 1498.0, -19.0, 2.5])):
            want = parse_cell(value, ind, factor, pct, CAT, total=total)
            assert ColumnParser(ind, factor, CAT).parse(value, pct, total) == (want.raw_text, want.value, want.blank), (value, ind.code)
        if isinstance(text, str):
            assert parse_text(text, ind, factor, pct, CAT, total=total) == parse_cell(text, ind, factor, pct, CAT, total=total)


def test_fast_text_normalisation_matches_normalize():
    r = random.Random(4)
    names = [a[1] for a in AREAS] + ["張家灣村", "總 户 数（户）", "填報單位：長口鄉（450101201）", "2018年1-6月", "乾溝", "後灣", "有序村"]
    for _ in range(20000):
        s = "".join(r.choice(names + PIECES) for _ in range(r.randint(1, 3)))
        assert fast_compact(s) == compact(s), s
        assert fast_simplify(s) == simplify(s), s
        assert ctext(s) == compact(s)
    for v in (None, 1.0, 2.5, 1e20, True, 450101200201.0):
        assert ctext(v) == compact("" if v is None else ("TRUE" if v is True else (str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(v))))


def test_the_unit_resolver_answers_as_the_registry_does():
    reg = registry()
    res = Resolver(reg)
    names = [a[1] for a in AREAS]
    texts = names + [a + b for a in names for b in names] + [f"{n}({c[:9]})" for n, c in zip(names, (a[0] for a in AREAS))]
    texts += ["土城乡", "点军区土城乡", "伍家岗区土城乡", "宜昌市", "宜昌市(4305)", "龍泉鎮", "乐昌乡", "", "123"]
    for year in (2017, 2018, None):
        for levels in (("township",), ("city", "province", "county")):
            for t in texts:
                assert res.resolve_unit(t, year, levels) == reg.resolve_unit(t, year, levels), (t, year, levels)
    assert res.village_index("430504103000", 2018) == reg.village_index("430504103000", 2018)
    assert code12("430504103") == "430504103000"


def test_content_hash_ignores_column_and_row_order_but_not_figures():
    base = parse(form())
    order = [8, 3, 0, 5, 7, 1, 6, 2, 4]
    from ingest_kit import FP2_LABELS, FP2_TOTAL

    shuffled = parse(form(labels=[FP2_LABELS[i] for i in order],
                          rows=[[n, *[v[i] for i in order]] for n, v in reversed(FP2_LONGQUAN)],
                          total=[FP2_TOTAL[i] for i in order], total_first=False))
    assert base.content_hash() == shuffled.content_hash()
    changed = parse(form(rows=[["龙泉村", *FP2_LONGQUAN[0][1][:-1], 501], ["青龙村", *FP2_LONGQUAN[1][1]]]))
    assert changed.content_hash() != base.content_hash()
