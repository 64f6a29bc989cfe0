"""Fictional place and person names for the demo registry and its submissions.

Every name is built from small character pools with a seeded ``random.Random``; nothing here
names a real place. Traditional spellings go through OpenCC ``s2t`` and are only used when
the reader's normalisation (``t2s``) maps them back to the same simplified name.
"""

from __future__ import annotations

import random
from functools import lru_cache

from opencc import OpenCC

from huizong.normalize import compact

_S2T = OpenCC("s2t")

SURNAMES = (
    "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁任姚卢姜崔钟谭陆汪范金廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严覃武戴莫孔向汤"
)
FEATURES = "湾坪岭沟坡坝岩河桥店庄寨营堡台湖溪山冲垭坳塘园洲岗峡口场院铺屯源滩畈埠田咀"
FIRSTS = "新和平安永长兴丰高龙凤青白红金银石云花桃梅竹松柏茶大东西南北中上下前后三五双太古福宝民联团胜利光明建华富强德仁义柳杨枫樱荷莲泉清碧翠玉鹤鹿马牛羊"
SECONDS = "丰安宁平和兴旺盛华明光阳林峰溪源泉河桥湖山岭坪庄园田洲"
COUNTY_SUFFIX = ("县", "县", "县", "区")
TOWNSHIP_SUFFIX = ("镇", "乡")

PERSONS = (
    "王建国", "李红梅", "张德胜", "刘国华", "陈明", "杨春燕", "黄志强", "周丽", "吴涛", "彭家林",
    "赵小军", "孙丽萍", "胡永刚", "郭芳", "何建平", "高翠兰", "林海", "罗晓东", "郑秀英", "梁勇",
)
HELPERS = ("市统计局", "县农业局", "县交通局", "县教育局", "市财政局", "县水利局", "县住建局", "市扶贫办")


def to_traditional(text: str) -> str:
    """Traditional spelling of ``text`` when the reader maps it back; else ``text``."""
    return _to_traditional(text)


@lru_cache(maxsize=65536)
def _to_traditional(text: str) -> str:
    t = _S2T.convert(text)
    return t if compact(t) == compact(text) else text


def has_traditional(text: str) -> bool:
    return to_traditional(text) != text


class NamePool:
    """Unique names per scope, drawn from one seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used_global: set[str] = set()

    def _base(self, style: int) -> str:
        r = self.rng
        if style == 0:
            return r.choice(SURNAMES) + "家" + r.choice(FEATURES)
        if style == 1:
            return r.choice(FIRSTS) + r.choice(FEATURES)
        return r.choice(FIRSTS) + r.choice(SECONDS)

    def unique_base(self, taken: set[str], styles=(0, 1, 2), globally: bool = False) -> str:
        for _ in range(10000):
            base = self._base(self.rng.choice(styles))
            if base in taken or (globally and base in self.used_global):
                continue
            if base[0] in "注说备":  # a row starting like a footer line (注:) would end the table
                continue
            taken.add(base)
            if globally:
                self.used_global.add(base)
            return base
        raise RuntimeError("name pool exhausted")
