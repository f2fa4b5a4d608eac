"""Tokens → AST, by recursive descent. Lucene/KQL-like:

    error timeout                  both words (AND is implicit)
    "No valid host"                a phrase
    nova* / *infix* / f?o          prefix and wildcards
    level:ERROR  host:(ctl1 OR ctl2)  program:nova-*
    http_status:>=500  http_time_ms:[100 TO 2000]  http_bytes:{0 TO *}
    /Timed out .* seconds/  logger:/nova\\..*/
    level:NO_EXIST                 the field is missing
    NOT, -, AND, OR, ( )           NOT binds tightest, then AND, then OR
"""

from __future__ import annotations

from collections.abc import Callable

from venus.errors import ParseError
from venus.query.ast import And, Compare, MatchAll, Missing, Node, Not, Or, Range, Term
from venus.query.fields import known_fields, resolve_field
from venus.query.lexer import Token, tokenize

MAX_DEPTH = 32
MAX_TERMS = 256
MISSING_WORDS = ("NO_EXIST", "NO EXIST", "_missing_")


def parse_query(query: str) -> Node:
    """Parse a query string; an empty query matches everything."""
    if not query.strip() or query.strip() == "*":
        return MatchAll()
    return _Parser(query).parse()


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.i = 0
        self.depth = 0
        self.terms = 0

    # -- helpers -------------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self, kind: str | None = None, what: str = "") -> Token:
        tok = self.tok
        if kind is not None and tok.kind != kind:
            self.fail(f"expected {what or kind.lower()}, found {self.describe(tok)}", tok.pos)
        self.i += 1
        return tok

    def fail(self, message: str, pos: int) -> None:
        raise ParseError(message, pos, self.query)

    @staticmethod
    def describe(tok: Token) -> str:
        return "the end of the query" if tok.kind == "EOF" else repr(tok.text)

    # -- grammar -------------------------------------------------------------------------------

    def parse(self) -> Node:
        node = self.or_expr()
        if self.tok.kind != "EOF":
            self.fail(f"unexpected {self.describe(self.tok)}", self.tok.pos)
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.tok.kind == "OR":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.tok.kind not in ("OR", "RPAREN", "EOF"):
            if self.tok.kind == "AND":
                self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> Node:
        if self.tok.kind in ("NOT", "MINUS"):
            self.take()
            return Not(self.not_expr())
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "LPAREN":
            return self.group(self.or_expr)
        if tok.kind == "FIELD":
            return self.field_expr()
        if tok.kind in ("WORD", "PHRASE", "REGEX"):
            return self.term(None)
        if tok.kind in ("AND", "OR"):
            self.fail(f"{tok.text} needs a term on each side", tok.pos)
        self.fail(f"expected a word, a phrase or a field, found {self.describe(tok)}", tok.pos)
        raise AssertionError  # fail() raised

    def group(self, inner: Callable[[], Node]) -> Node:
        """'(' inner ')', with the nesting bounded."""
        tok = self.take()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"parentheses nest deeper than {MAX_DEPTH}", tok.pos)
        node = inner()
        self.take("RPAREN", "')'")
        self.depth -= 1
        return node

    def field_expr(self) -> Node:
        ftok = self.take()
        ref = resolve_field(ftok.text)
        if ref is None:
            hint = f"; to search the text, quote it: \"{ftok.text}:...\"" if ftok.text.isalpha() else ""
            self.fail(f"unknown field '{ftok.text}' (fields: {', '.join(known_fields())}){hint}", ftok.pos)
            raise AssertionError
        field = ref.name
        tok = self.tok
        if tok.kind == "LPAREN":
            # field:(a OR b c) applies the field to every term inside.
            return self.group(lambda: self.field_group(field))
        if tok.kind == "CMP":
            self.take()
            value = self.take("WORD", "a value after " + tok.text)
            return self.check(Compare(field, tok.text, value.text, ftok.pos))
        if tok.kind in ("LBRACK", "LBRACE"):
            return self.range_expr(field, ftok.pos)
        if tok.kind in ("WORD", "PHRASE", "REGEX"):
            if tok.kind == "WORD" and tok.text == "NO_EXIST":
                self.take()
                return Missing(field, ftok.pos)
            if tok.kind == "PHRASE" and tok.text in MISSING_WORDS:
                self.take()
                return Missing(field, ftok.pos)
            return self.term(field)
        self.fail(f"expected a value for '{ftok.text}', found {self.describe(tok)}", tok.pos)
        raise AssertionError

    def field_group(self, field: str) -> Node:
        items = [self.field_and(field)]
        while self.tok.kind == "OR":
            self.take()
            items.append(self.field_and(field))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def field_and(self, field: str) -> Node:
        items = [self.field_not(field)]
        while self.tok.kind not in ("OR", "RPAREN", "EOF"):
            if self.tok.kind == "AND":
                self.take()
            items.append(self.field_not(field))
        return items[0] if len(items) == 1 else And(tuple(items))

    def field_not(self, field: str) -> Node:
        if self.tok.kind in ("NOT", "MINUS"):
            self.take()
            return Not(self.field_not(field))
        if self.tok.kind == "LPAREN":
            return self.group(lambda: self.field_group(field))
        if self.tok.kind not in ("WORD", "PHRASE", "REGEX"):
            self.fail(f"expected a value for '{field}', found {self.describe(self.tok)}", self.tok.pos)
        return self.term(field)

    def range_expr(self, field: str, pos: int) -> Node:
        open_tok = self.take()
        low = self.take("WORD", "the low end of the range").text
        self.take("TO", "TO")
        high = self.take("WORD", "the high end of the range").text
        close = self.tok
        if close.kind not in ("RBRACK", "RBRACE"):
            self.fail("expected ']' or '}' to close the range", close.pos)
        self.take()
        return self.check(Range(field, None if low == "*" else low, None if high == "*" else high,
                                open_tok.kind == "LBRACK", close.kind == "RBRACK", pos))

    def term(self, field: str | None) -> Node:
        tok = self.take()
        self.terms += 1
        if self.terms > MAX_TERMS:
            self.fail(f"the query has more than {MAX_TERMS} terms", tok.pos)
        if tok.kind == "PHRASE":
            node: Node = Term(field, "phrase", tok.text, tok.pos)
        elif tok.kind == "REGEX":
            if not tok.text:
                self.fail("an empty /regex/ matches everything; leave it out", tok.pos)
            node = Term(field, "regex", tok.text, tok.pos)
        else:
            text = tok.text
            if text == "*" and field is None:
                return MatchAll()
            wild = ("*" in text or "?" in text) and not tok.escaped_wildcards
            if wild and text.endswith("*") and "*" not in text[:-1] and "?" not in text and len(text) > 1:
                node = Term(field, "prefix", text[:-1], tok.pos)
            elif wild:
                if not text.strip("*?"):
                    self.fail("a wildcard needs at least one other character", tok.pos)
                node = Term(field, "wildcard", text, tok.pos)
            else:
                node = Term(field, "word", text, tok.pos)
        return self.check(node)

    def check(self, node: Node) -> Node:
        """Refuse values the field's type cannot hold, pointing at them."""
        field = getattr(node, "field", None)
        ref = resolve_field(field) if field else None
        if ref is None:
            return node
        kind = ref.column.kind if ref.attr_key is None else "keyword"
        pos = getattr(node, "pos", 0)
        if isinstance(node, (Compare, Range)):
            values = [node.value] if isinstance(node, Compare) else [v for v in (node.low, node.high) if v]
            if kind in ("int", "float"):
                for v in values:
                    try:
                        float(v)
                    except ValueError:
                        self.fail(f"'{field}' holds numbers; {v!r} is not one", pos)
            elif kind != "time":
                self.fail(f"'{field}' is not a number or a time; ranges and comparisons need one", pos)
        elif isinstance(node, Term) and kind in ("int", "float"):
            if node.kind != "word":
                self.fail(f"'{field}' holds numbers; use a range such as {field}:[500 TO 599]", pos)
            try:
                float(node.text)
            except ValueError:
                self.fail(f"'{field}' holds numbers; {node.text!r} is not one", pos)
        return node
