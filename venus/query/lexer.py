"""Query text → tokens. Every token keeps its position, so errors can point at it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from venus.errors import ParseError

MAX_QUERY_CHARS = 8192

# A bare word ends at white space or at one of these; backslash escapes any of them.
_BREAK = set(' \t\r\n()"[]{}')
_FIELD = re.compile(r"[A-Za-z_@][\w.@]*")


@dataclass(frozen=True)
class Token:
    kind: str  # WORD FIELD PHRASE REGEX AND OR NOT MINUS LPAREN RPAREN LBRACK RBRACK LBRACE RBRACE TO CMP EOF
    text: str
    pos: int
    escaped_wildcards: bool = False  # the word had \* or \?, so they are literal


def tokenize(query: str) -> list[Token]:
    if len(query) > MAX_QUERY_CHARS:
        raise ParseError(f"the query is longer than {MAX_QUERY_CHARS} characters", MAX_QUERY_CHARS, query[:80])
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
            continue
        if c in "()[]{}":
            kind = {"(": "LPAREN", ")": "RPAREN", "[": "LBRACK", "]": "RBRACK", "{": "LBRACE", "}": "RBRACE"}[c]
            tokens.append(Token(kind, c, i))
            i += 1
            continue
        if c == '"':
            text, i = _quoted(query, i, '"', "a phrase")
            tokens.append(Token("PHRASE", text, i - len(text) - 2))
            continue
        if c == "/":
            start = i
            text, i = _quoted(query, i, "/", "a /regex/")
            tokens.append(Token("REGEX", text, start))
            continue
        if c in "<>" and _after_field(tokens):
            op = query[i:i + 2] if query[i + 1:i + 2] == "=" else c
            tokens.append(Token("CMP", op, i))
            i += len(op)
            continue
        if c == "-" and i + 1 < n and not query[i + 1].isspace() and not _in_value(tokens):
            tokens.append(Token("MINUS", "-", i))
            i += 1
            continue
        if c == ":":
            raise ParseError("a field name is missing before ':'", i, query)
        start = i
        chars: list[str] = []
        escaped = False
        while i < n and query[i] not in _BREAK:
            ch = query[i]
            if ch == "\\" and i + 1 < n:
                if query[i + 1] in "*?":
                    escaped = True
                chars.append(query[i + 1])
                i += 2
                continue
            if ch == ":" and _FIELD.fullmatch("".join(chars)):
                break
            chars.append(ch)
            i += 1
        word = "".join(chars)
        if i < n and query[i] == ":" and _FIELD.fullmatch(word):
            tokens.append(Token("FIELD", word, start))
            i += 1
            continue
        # Operators are upper case, as in Lucene: "not found" searches two words.
        keyword = word if word == query[start:i] else ""
        if keyword in ("AND", "OR", "NOT", "&&", "||"):
            tokens.append(Token({"&&": "AND", "||": "OR"}.get(keyword, keyword), word, start))
        elif keyword == "TO":
            tokens.append(Token("TO", word, start))
        else:
            tokens.append(Token("WORD", word, start, escaped))
    tokens.append(Token("EOF", "", n))
    return tokens


def _after_field(tokens: list[Token]) -> bool:
    return bool(tokens) and tokens[-1].kind == "FIELD"


def _in_value(tokens: list[Token]) -> bool:
    """After 'field:', '[', 'TO' or a comparison a '-' is a negative number, not NOT."""
    return bool(tokens) and tokens[-1].kind in ("FIELD", "LBRACK", "LBRACE", "TO", "CMP")


def _quoted(query: str, i: int, quote: str, what: str) -> tuple[str, int]:
    """The text between a quote at `i` and its closing quote, with backslash escapes undone."""
    out: list[str] = []
    j = i + 1
    while j < len(query):
        ch = query[j]
        if ch == "\\" and j + 1 < len(query):
            nxt = query[j + 1]
            # In a regex, keep escapes other than \/ for the regex engine.
            out.append(nxt if (quote == '"' or nxt == "/") else ch + nxt)
            j += 2
            continue
        if ch == quote:
            return "".join(out), j + 1
        out.append(ch)
        j += 1
    raise ParseError(f"{what} is not closed (missing {quote})", i, query)
