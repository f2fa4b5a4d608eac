"""AST → a ClickHouse WHERE expression with bound parameters. No value ever enters the SQL text:
every value is a `{pN:Type}` parameter, and the only names in the text are the model's columns.

Text on `message` uses the text index: a word is `hasAllTokens` (case-insensitive through the
index's lower() preprocessor), a word with inner punctuation or a phrase is `hasPhrase`. Prefixes,
wildcards and regexes scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from venus.errors import BadRequest
from venus.model import normalise_level
from venus.query.ast import And, Compare, MatchAll, Missing, Node, Not, Or, Range, Term
from venus.query.fields import FieldRef, resolve_field

_ALNUM = re.compile(r"[A-Za-z0-9]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass
class Compiled:
    where: str
    params: dict[str, Any] = field(default_factory=dict)


class _Compiler:
    def __init__(self, prefix: str) -> None:
        self.params: dict[str, Any] = {}
        self.prefix = prefix

    def bind(self, value: Any, ch_type: str) -> str:
        name = f"{self.prefix}{len(self.params)}"
        self.params[name] = value
        return f"{{{name}:{ch_type}}}"

    def compile(self, node: Node) -> str:
        if isinstance(node, MatchAll):
            return "1"
        if isinstance(node, And):
            return "(" + " AND ".join(self.compile(i) for i in node.items) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.compile(i) for i in node.items) + ")"
        if isinstance(node, Not):
            return f"NOT {self.compile(node.item)}"
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Missing):
            return self.missing(_ref(node.field))
        if isinstance(node, Compare):
            ref = _ref(node.field)
            return f"{self.expr(ref)} {node.op} {self.typed(ref, node.value)}"
        if isinstance(node, Range):
            ref = _ref(node.field)
            parts = []
            if node.low is not None:
                parts.append(f"{self.expr(ref)} {'>=' if node.include_low else '>'} {self.typed(ref, node.low)}")
            if node.high is not None:
                parts.append(f"{self.expr(ref)} {'<=' if node.include_high else '<'} {self.typed(ref, node.high)}")
            return "(" + " AND ".join(parts) + ")" if parts else "1"
        raise TypeError(f"cannot compile {type(node).__name__}")

    # -- pieces --------------------------------------------------------------------------------

    def expr(self, ref: FieldRef) -> str:
        if ref.attr_key is not None:
            return f"attrs[{self.bind(ref.attr_key, 'String')}]"
        return f"`{ref.column.name}`"

    def typed(self, ref: FieldRef, value: str) -> str:
        kind = "keyword" if ref.attr_key else ref.column.kind
        if kind == "int":
            try:
                return self.bind(int(value), "Int64")
            except ValueError:
                return self.bind(float(value), "Float64")
        if kind == "float":
            return self.bind(float(value), "Float64")
        if kind == "time":
            return f"parseDateTime64BestEffort({self.bind(value, 'String')}, 6, 'UTC')"
        return self.bind(value, "String")

    def missing(self, ref: FieldRef) -> str:
        if ref.attr_key is not None:
            return f"NOT mapContains(attrs, {self.bind(ref.attr_key, 'String')})"
        col = ref.column
        if col.kind == "float":
            return f"isNull(`{col.name}`)"
        if col.kind == "int":
            return f"`{col.name}` = 0"
        return f"`{col.name}` = ''"

    def term(self, t: Term) -> str:
        ref = _ref(t.field or "message")
        kind = "keyword" if ref.attr_key else ref.column.kind
        if kind == "text":
            return self.text_term(ref, t)
        if kind in ("int", "float", "time"):
            if kind == "time":
                raise BadRequest(f"'{t.field}' is a time; use a range such as {t.field}:[2026-01-01 TO 2026-01-02]",
                                 field="q")
            return f"{self.expr(ref)} = {self.typed(ref, t.text)}"
        return self.keyword_term(ref, t)

    def text_term(self, ref: FieldRef, t: Term) -> str:
        col = self.expr(ref)
        text = t.text
        if t.kind == "regex":
            return f"match({col}, {self.bind(text, 'String')})"
        if t.kind == "prefix":
            pattern = r"(?i)(?:^|[^A-Za-z0-9])" + re.escape(text)
            return f"match({col}, {self.bind(pattern, 'String')})"
        if t.kind == "wildcard":
            return f"{col} ILIKE {self.bind(like_pattern(text, anchored=False), 'String')}"
        tokens = _ALNUM.findall(text)
        if not tokens or not text.isascii():
            # Nothing the index tokenises (punctuation, non-ASCII scripts): a plain substring search.
            return f"positionCaseInsensitiveUTF8({col}, {self.bind(text, 'String')}) > 0"
        if t.kind == "word" and _ASCII_WORD.fullmatch(text):
            return f"hasAllTokens({col}, {self.bind(text, 'String')})"
        return f"hasPhrase({col}, {self.bind(text, 'String')})"

    def keyword_term(self, ref: FieldRef, t: Term) -> str:
        col = self.expr(ref)
        text = t.text
        if ref.name in ("request_id", "global_request_id") and text.startswith("req-"):
            text = text[4:]
        if ref.name == "level" and t.kind in ("word", "phrase"):
            text = normalise_level(text) or text.upper()
        if t.kind == "regex":
            return f"match({col}, {self.bind(text, 'String')})"
        if t.kind == "prefix":
            return f"startsWith({col}, {self.bind(text, 'String')})"
        if t.kind == "wildcard":
            return f"{col} LIKE {self.bind(like_pattern(text, anchored=True), 'String')}"
        return f"{col} = {self.bind(text, 'String')}"


def _ref(name: str) -> FieldRef:
    ref = resolve_field(name)
    if ref is None:  # the parser has checked every field; this is a programming error
        raise BadRequest(f"unknown field '{name}'", field="q")
    return ref


def like_pattern(text: str, anchored: bool) -> str:
    """Query wildcards (* ?) to a LIKE pattern, with LIKE's own % _ \\ escaped."""
    out = []
    for ch in text:
        if ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        elif ch in "%_\\":
            out.append("\\" + ch)
        else:
            out.append(ch)
    pattern = "".join(out)
    if not anchored:
        pattern = ("" if pattern.startswith("%") else "%") + pattern + ("" if pattern.endswith("%") else "%")
    return pattern


def compile_query(node: Node, prefix: str = "q") -> Compiled:
    """WHERE expression and parameters for a parsed query. `prefix` names the parameters, so a
    caller can combine several compiled parts in one statement."""
    c = _Compiler(prefix)
    return Compiled(c.compile(node), c.params)
