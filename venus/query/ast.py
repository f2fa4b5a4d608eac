"""Query AST: frozen dataclasses whose str() is the canonical query text (parse(str(q)) == q)."""

from __future__ import annotations

from dataclasses import dataclass, field

_SPECIAL = set(' ():"[]{}\\/<>=*?')


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _word(text: str) -> str:
    """A value as the lexer will read it back as one bare word, with backslash escapes."""
    out = _escape(text, "*?")
    if out.startswith("-") or text in ("AND", "OR", "NOT", "TO", "NO_EXIST"):
        out = "\\" + out
    return out


def _escape(text: str, also: str) -> str:
    """Backslash the characters that would end or change a bare word (and those in `also`)."""
    return "".join("\\" + c if (c in _SPECIAL - {"*", "?"} or c in also) else c for c in text)


class Node:
    pass


@dataclass(frozen=True)
class MatchAll(Node):
    def __str__(self) -> str:
        return "*"


@dataclass(frozen=True)
class Term(Node):
    """Text to find. kind: word, phrase, prefix (foo*), wildcard (f?o*bar, *infix*), regex."""

    field: str | None
    kind: str
    text: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        if self.kind == "regex":
            value = "/" + self.text.replace("/", "\\/") + "/"
        elif self.kind == "phrase":
            value = quote(self.text)
        elif self.kind == "prefix":
            value = _escape(self.text, "*?") + "*"
        elif self.kind == "wildcard":
            value = _escape(self.text, "")
        else:
            value = _word(self.text)
        return f"{self.field}:{value}" if self.field else value


@dataclass(frozen=True)
class Compare(Node):
    field: str
    op: str  # > >= < <=
    value: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"{self.field}:{self.op}{_word(self.value)}"


@dataclass(frozen=True)
class Range(Node):
    field: str
    low: str | None  # None: open
    high: str | None
    include_low: bool = True
    include_high: bool = True
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        lo = "*" if self.low is None else _word(self.low)
        hi = "*" if self.high is None else _word(self.high)
        return f"{self.field}:{'[' if self.include_low else '{'}{lo} TO {hi}{']' if self.include_high else '}'}"


@dataclass(frozen=True)
class Missing(Node):
    """field:NO_EXIST — the line does not carry the field."""

    field: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"{self.field}:NO_EXIST"


@dataclass(frozen=True)
class Not(Node):
    item: Node

    def __str__(self) -> str:
        return f"NOT {_group(self.item)}"


@dataclass(frozen=True)
class And(Node):
    items: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_group(i) for i in self.items)


@dataclass(frozen=True)
class Or(Node):
    items: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(_group(i) for i in self.items)


def _group(node: Node) -> str:
    return f"({node})" if isinstance(node, (And, Or)) else str(node)
