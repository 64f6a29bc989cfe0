"""A rule's ``relation`` (``A06 = A09 + A11 + A13 + A15``, ``1.5 <= A03 / A02 <= 8``) as SQL.

Grammar (whitespace free)::

    relation := expr (cmp expr)+          cmp := = | == | <= | >= | < | >
    expr     := term (('+' | '-') term)*
    term     := factor (('*' | '/') factor)*
    factor   := NUMBER | CODE | '(' expr ')' | '-' factor

``CODE`` is an indicator code of the catalog. Division is ``x / nullif(y, 0)``: a relation
whose denominator is zero evaluates to NULL and is not a failure (there is nothing to
recompute). A comparison with tolerance ``t`` fails when

    =   |a - b| > t        <=  a - b > t        >=  b - a > t        <  a >= b + t ...

always with a relative epsilon, so that values equal up to float noise never fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<code>[A-Z][0-9]{2})|(?P<op><=|>=|==|=|<|>|[-+*/()]))")
COMPARATORS = ("=", "==", "<=", ">=", "<", ">")


class RelationError(ValueError):
    pass


@dataclass(frozen=True)
class Expr:
    """A parsed arithmetic expression: its SQL (over ``column(code)``), text, and codes."""

    sql: str
    text: str
    codes: tuple[str, ...]

    @property
    def is_constant(self) -> bool:
        return not self.codes


@dataclass(frozen=True)
class Relation:
    text: str
    terms: tuple[Expr, ...]
    comparators: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for t in self.terms:
            for c in t.codes:
                seen.setdefault(c, None)
        return tuple(seen)

    @property
    def observed(self) -> Expr:
        """The value the check looks at: the left side, or the middle of a chain."""
        if len(self.terms) == 3:
            return self.terms[1]
        return self.terms[0] if not self.terms[0].is_constant else self.terms[1]

    def failure_sql(self, tolerance: float) -> str:
        """A boolean SQL expression, true when the relation fails (NULL when unknown)."""
        return " or ".join(
            _fail(self.terms[i].sql, cmp, self.terms[i + 1].sql, tolerance) for i, cmp in enumerate(self.comparators)
        )

    def expected_sql(self, tolerance: float) -> str:
        """What the observed value should have been: the other side of the failing comparison."""
        if len(self.terms) == 2:
            return self.terms[1].sql if self.observed is self.terms[0] else self.terms[0].sql
        whens = []
        for i, cmp in enumerate(self.comparators):
            other = self.terms[i] if self.terms[i + 1] is self.observed else self.terms[i + 1]
            whens.append(f"when {_fail(self.terms[i].sql, cmp, self.terms[i + 1].sql, tolerance)} then {other.sql}")
        return f"(case {' '.join(whens)} end)"

    @property
    def lhs(self) -> Expr:
        return self.observed

    @property
    def rhs_text(self) -> str:
        others = [t.text for t in self.terms if t is not self.observed]
        return " .. ".join(others)

    @property
    def rhs_codes(self) -> tuple[str, ...]:
        return tuple(c for t in self.terms if t is not self.observed for c in t.codes if c not in self.observed.codes)


def _eps(a: str, b: str) -> str:
    return f"(1e-9 * greatest(1.0, abs({a}), abs({b})))"


def _fail(a: str, cmp: str, b: str, tol: float) -> str:
    t = f"{float(tol)!r}"
    if cmp in ("=", "=="):
        return f"(abs(({a}) - ({b})) > {t} + {_eps(a, b)})"
    if cmp == "<=":
        return f"(({a}) - ({b}) > {t} + {_eps(a, b)})"
    if cmp == ">=":
        return f"(({b}) - ({a}) > {t} + {_eps(a, b)})"
    if cmp == "<":
        return f"(({a}) - ({b}) >= {t} - {_eps(a, b)})"
    if cmp == ">":
        return f"(({b}) - ({a}) >= {t} - {_eps(a, b)})"
    raise RelationError(f"unknown comparator {cmp!r}")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise RelationError(f"cannot read {text[pos:]!r} in relation {text!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, column, known_codes):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.column = column
        self.known = known_codes

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise RelationError(f"relation {self.text!r} ends too early")
        self.i += 1
        return tok

    def relation(self) -> Relation:
        terms, cmps = [self.expr()], []
        while (tok := self.peek()) is not None and tok[1] in COMPARATORS:
            self.take()
            cmps.append(tok[1])
            terms.append(self.expr())
        if self.peek() is not None:
            raise RelationError(f"unexpected {self.peek()[1]!r} in relation {self.text!r}")
        if not cmps or len(terms) > 3:
            raise RelationError(f"relation {self.text!r} needs one comparison (or a chain a <= x <= b)")
        if all(t.is_constant for t in terms):
            raise RelationError(f"relation {self.text!r} names no indicator")
        return Relation(self.text, tuple(terms), tuple(cmps))

    def expr(self) -> Expr:
        left = self.term()
        while (tok := self.peek()) is not None and tok[1] in "+-" and tok[0] == "op":
            self.take()
            right = self.term()
            left = Expr(f"({left.sql} {tok[1]} {right.sql})", f"{left.text} {tok[1]} {right.text}", left.codes + right.codes)
        return left

    def term(self) -> Expr:
        left = self.factor()
        while (tok := self.peek()) is not None and tok[1] in ("*", "/"):
            self.take()
            right = self.factor()
            sql = f"({left.sql} * {right.sql})" if tok[1] == "*" else f"({left.sql} / nullif({right.sql}, 0))"
            left = Expr(sql, f"{left.text} {tok[1]} {right.text}", left.codes + right.codes)
        return left

    def factor(self) -> Expr:
        kind, val = self.take()
        if kind == "num":
            return Expr(f"{float(val)!r}", val, ())
        if kind == "code":
            if self.known is not None and val not in self.known:
                raise RelationError(f"{val} in relation {self.text!r} is not an indicator of the catalog")
            return Expr(self.column(val), val, (val,))
        if val == "(":
            inner = self.expr()
            if self.take()[1] != ")":
                raise RelationError(f"missing ')' in relation {self.text!r}")
            return Expr(inner.sql, f"({inner.text})", inner.codes)
        if val == "-":
            inner = self.factor()
            return Expr(f"(-{inner.sql})", f"-{inner.text}", inner.codes)
        raise RelationError(f"unexpected {val!r} in relation {self.text!r}")


def parse_relation(text: str, column=lambda code: f'"{code}"', known_codes=None) -> Relation:
    """Parse ``text``; ``column(code)`` gives the SQL for an indicator's value."""
    return _Parser(text, column, known_codes).relation()
