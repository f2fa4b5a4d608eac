"""The query language: what each form means, that it round-trips, and what it refuses."""

import pytest

from venus.errors import ParseError
from venus.query.ast import And, Compare, MatchAll, Missing, Not, Or, Range, Term
from venus.query.compiler import compile_query
from venus.query.parser import parse_query

CASES = {
    "error": Term(None, "word", "error"),
    '"No valid host"': Term(None, "phrase", "No valid host"),
    "nova*": Term(None, "prefix", "nova"),
    "*timeout*": Term(None, "wildcard", "*timeout*"),
    "level:ERROR": Term("level", "word", "ERROR"),
    "Hostname:ctl1": Term("host", "word", "ctl1"),
    "host:(ctl1 OR ctl2)": Or((Term("host", "word", "ctl1"), Term("host", "word", "ctl2"))),
    "a b": And((Term(None, "word", "a"), Term(None, "word", "b"))),
    "a OR b c": Or((Term(None, "word", "a"), And((Term(None, "word", "b"), Term(None, "word", "c"))))),
    "-debug": Not(Term(None, "word", "debug")),
    "NOT (a OR b)": Not(Or((Term(None, "word", "a"), Term(None, "word", "b")))),
    "http_status:>=500": Compare("http_status", ">=", "500"),
    "http_time_ms:[100 TO 2000]": Range("http_time_ms", "100", "2000"),
    "http_bytes:{0 TO *}": Range("http_bytes", "0", None, False, False),
    "/Timed out .* seconds/": Term(None, "regex", "Timed out .* seconds"),
    "logger:/nova\\..*/": Term("logger", "regex", "nova\\..*"),
    "level:NO_EXIST": Missing("level"),
    "attrs.client_ip:10.0.0.1": Term("attrs.client_ip", "word", "10.0.0.1"),
    "12:00:01": Term(None, "word", "12:00:01"),
    "not found": And((Term(None, "word", "not"), Term(None, "word", "found"))),
    "": MatchAll(),
}


@pytest.mark.parametrize("text,expected", CASES.items())
def test_parses_to(text, expected):
    assert parse_query(text) == expected


@pytest.mark.parametrize("text", list(CASES) + ["'; DROP TABLE logs; --", 'a\\"b', "x\\*y", "\\AND", "-5"])
def test_canonical_text_parses_back_to_the_same_query(text):
    node = parse_query(text)
    assert parse_query(str(node)) == node


@pytest.mark.parametrize("text,position,reason", [
    ("level:", 6, "expected a value for 'level'"),
    ("(a OR b", 7, "expected ')'"),
    ("foo:bar", 0, "unknown field 'foo'"),
    ("http_status:abc", 12, "'http_status' holds numbers"),
    ('"open', 0, "a phrase is not closed"),
    ("AND x", 0, "AND needs a term on each side"),
    ("a)", 1, "unexpected ')'"),
    ("/x", 0, "a /regex/ is not closed"),
    ("host:>5", 0, "'host' is not a number or a time"),
    ("(" * 40 + "a" + ")" * 40, 32, "parentheses nest deeper than 32"),
    ("host:" + "(" * 40 + "a" + ")" * 40, 37, "parentheses nest deeper than 32"),
    ("x" * 9000, 8192, "the query is longer than 8192 characters"),
])
def test_syntax_errors_say_where_and_what(text, position, reason):
    with pytest.raises(ParseError) as err:
        parse_query(text)
    assert err.value.position == position
    assert err.value.reason.startswith(reason)
    assert err.value.field == "q"


def test_values_are_bound_never_spliced():
    compiled = compile_query(parse_query("host:\"x' OR 1=1 --\" '; DROP TABLE logs; -- /a'b/ level:\"'\""))
    assert "DROP" not in compiled.where and "'" not in compiled.where.replace("''", "")
    assert "x' OR 1=1 --" in compiled.params.values()
    assert "a'b" in compiled.params.values()


def test_request_ids_match_with_or_without_req_prefix():
    with_prefix = compile_query(parse_query("request_id:req-5b6c791d-5709-4f36-8fbe-c3e02869e35d"))
    bare = compile_query(parse_query("request_id:5b6c791d-5709-4f36-8fbe-c3e02869e35d"))
    assert with_prefix.params == bare.params == {"q0": "5b6c791d-5709-4f36-8fbe-c3e02869e35d"}
