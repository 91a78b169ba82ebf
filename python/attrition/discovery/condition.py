"""Conditions on a run's outcomes, written as text: a tiny parser, no ``eval``.

Grammar::

    condition  := term ("or" term)*
    term       := factor ("and" factor)*
    factor     := "not" factor | "(" condition ")" | comparison
    comparison := NAME OP VALUE
    OP         := "<" | "<=" | ">" | ">=" | "==" | "!="
    VALUE      := a number (``180``, ``1.5e6``, ``1_000_000``) or a date (``2025-07-01``)

``NAME`` is an outcome's name, or a part of it that names one outcome: a dotted
suffix (``152mm.days_to_rationing``) or its parts in any order
(``days_to_rationing.152mm``, when only one outcome has both). A date compares a
first-passage outcome (``days_to_*``) by its calendar date: ``days_to_rationing <
2025-07-01`` holds when the event happens before 1 July 2025. A first-passage
time that is censored (the event does not happen within the horizon, NaN) is
read as "after the horizon": larger than every number.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..scenario import registry

__all__ = ["Condition", "parse", "resolve_name"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<op><=|>=|==|!=|<|>)
      | (?P<paren>[()])
      | (?P<date>\d{4}-\d{2}-\d{2}(?![\w.]))
      | (?P<number>[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![\w.]))
      | (?P<word>[A-Za-z0-9_][\w.\-]*)
    )""",
    re.VERBOSE,
)

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def resolve_name(name: str, names: Sequence[str]) -> str:
    """The one outcome ``name`` stands for: itself, a unique dotted suffix, or the unique
    outcome holding all its dotted parts. ValueError otherwise, with the candidates."""
    if name in names:
        return name
    suffix = [k for k in names if k.endswith("." + name)]
    if len(suffix) == 1:
        return suffix[0]
    parts = set(name.split("."))
    holding = [k for k in names if parts <= set(k.split("."))]
    found = suffix or holding
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(f"{name!r} names several outcomes: {', '.join(found)}; write more of the name")
    raise ValueError(f"{name!r} names no outcome (an outcome's name, a dotted suffix of it, or its parts)")


class Condition:
    """A parsed condition: call it with the outcomes (``{name: array}``) for a boolean array.

    Attributes
    ----------
    text : str
        The condition as written.
    outcomes : list of str
        The outcomes it reads, by full name.
    """

    def __init__(self, text: str, tree: tuple, outcomes: list[str]) -> None:
        self.text = text
        self._tree = tree
        self.outcomes = outcomes

    def __call__(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        return np.asarray(_evaluate(self._tree, values), dtype=bool)

    def __repr__(self) -> str:
        return f"Condition({self.text!r})"


def _evaluate(node: tuple, values: Mapping[str, np.ndarray]) -> np.ndarray:
    kind = node[0]
    if kind == "cmp":
        _, name, op, value, censored = node
        x = np.asarray(values[name], dtype=float)
        if censored:
            x = np.where(np.isnan(x), np.inf, x)
        return _OPS[op](x, value)
    if kind == "not":
        return ~_evaluate(node[1], values)
    left, right = _evaluate(node[1], values), _evaluate(node[2], values)
    return (left & right) if kind == "and" else (left | right)


def parse(text: str, names: Sequence[str], start: _dt.date) -> Condition:
    """Parse ``text`` against the outcome ``names`` of a scenario that starts on ``start``."""
    if not isinstance(text, str):
        raise TypeError(f"a condition is a text such as 'russia.ammo.152mm.days_to_rationing < 180', got {text!r}")
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"condition {text!r}: cannot read {text[pos:].strip()[:20]!r} (at character {pos + 1})")
        kind = m.lastgroup
        assert kind is not None
        tokens.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    used: list[str] = []
    parser = _Parser(text, tokens, names, start, used)
    tree = parser.condition()
    if parser.i < len(tokens):
        _, word, at = tokens[parser.i]
        raise ValueError(f"condition {text!r}: unexpected {word!r} at character {at + 1}")
    return Condition(text, tree, list(dict.fromkeys(used)))


class _Parser:
    def __init__(
        self, text: str, tokens: list[tuple[str, str, int]], names: Sequence[str], start: _dt.date, used: list[str]
    ) -> None:
        self.text, self.tokens, self.names, self.start, self.used = text, tokens, names, start, used
        self.i = 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _fail(self, what: str) -> ValueError:
        tok = self._peek()
        where = f"{tok[1]!r} at character {tok[2] + 1}" if tok else "the end"
        return ValueError(f"condition {self.text!r}: expected {what}, found {where}")

    def _keyword(self, word: str) -> bool:
        tok = self._peek()
        if tok is not None and tok[0] == "word" and tok[1].lower() == word:
            self.i += 1
            return True
        return False

    def condition(self) -> tuple:
        node = self.term()
        while self._keyword("or"):
            node = ("or", node, self.term())
        return node

    def term(self) -> tuple:
        node = self.factor()
        while self._keyword("and"):
            node = ("and", node, self.factor())
        return node

    def factor(self) -> tuple:
        if self._keyword("not"):
            return ("not", self.factor())
        tok = self._peek()
        if tok is not None and tok == ("paren", "(", tok[2]):
            self.i += 1
            node = self.condition()
            close = self._peek()
            if close is None or close[1] != ")":
                raise self._fail("')'")
            self.i += 1
            return node
        return self.comparison()

    def comparison(self) -> tuple:
        tok = self._peek()
        if tok is None or tok[0] != "word" or tok[1].lower() in ("and", "or", "not"):
            raise self._fail("an outcome name")
        self.i += 1
        try:
            name = resolve_name(tok[1], self.names)
        except ValueError as e:
            raise ValueError(f"condition {self.text!r}: {e}") from None
        op = self._peek()
        if op is None or op[0] != "op":
            raise self._fail("a comparison (<, <=, >, >=, ==, !=)")
        self.i += 1
        val = self._peek()
        first_passage = registry.is_first_passage(name)
        if val is not None and val[0] == "date":
            if not first_passage:
                raise ValueError(
                    f"condition {self.text!r}: {name} is not a first-passage time; compare it with a number, not a date"
                )
            try:
                day = _dt.date.fromisoformat(val[1])
            except ValueError:
                raise ValueError(f"condition {self.text!r}: {val[1]!r} is not a calendar date") from None
            value = float((day - self.start).days)
        elif val is not None and val[0] == "number":
            value = float(val[1].replace("_", ""))
        else:
            raise self._fail("a number or a date")
        self.i += 1
        self.used.append(name)
        return ("cmp", name, op[1], value, first_passage)
