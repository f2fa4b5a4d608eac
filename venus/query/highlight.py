"""What a query looks for in the message, so a client can mark it in the lines it shows.

Only the terms a line must contain count: a term under NOT is not in the matching lines, and a
term of another field (host:cmp1) is not in the message.
"""

from __future__ import annotations

from venus.query.ast import And, Node, Or, Term
from venus.query.fields import resolve_field


def highlight_terms(node: Node) -> list[dict[str, str]]:
    """The message terms of a query, each once, in query order: {"kind", "text"}, kind being
    word, phrase, prefix, wildcard or regex (RE2 syntax)."""
    found: list[dict[str, str]] = []

    def walk(n: Node) -> None:
        if isinstance(n, And | Or):
            for item in n.items:
                walk(item)
        elif isinstance(n, Term):
            ref = resolve_field(n.field) if n.field else None
            if n.field is None or (ref is not None and ref.column.kind == "text"):
                term = {"kind": n.kind, "text": n.text}
                if term not in found:
                    found.append(term)

    walk(node)
    return found
