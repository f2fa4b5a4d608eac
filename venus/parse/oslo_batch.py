"""Chunks of oslo.log lines parsed column by column: the fast path of import.

Most of what an OpenStack cloud logs is oslo.log, one file per service, with tracebacks written
under `logging_exception_prefix` (every line repeats the header). For a chunk made of such lines,
`parse_oslo_chunk` does what `SourceParser` does, but on whole Arrow columns: one regex pass
finds the header lines, splits take the header and the context block apart, RE2 reads the
instance prefix and the access-log fields, and records are joined with array arithmetic.
Per-line Python is left only for the rare line without a header that is not plainly a
continuation (`lines.understood` decides whether another format would claim it).

The line-by-line parser stays the reference. This module returns None for any chunk it could not
parse exactly as `SourceParser` would (a line of another format, a header regex cannot vouch for,
a record over the joining limits, a zone other than UTC, invalid UTF-8, ...) and the caller then
uses `SourceParser`. The tests compare the two on the demo cloud and on hand-made edge cases.
"""

from __future__ import annotations

from datetime import timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from venus.model import ARROW_SCHEMA, BY_NAME, COLUMNS, LEVEL_ALIASES
from venus.parse.lines import MAX_JOINED_LINES, MAX_RECORD_CHARS, ParseStats, understood
from venus.parse.paths import SourceInfo
from venus.parse.timestamps import TimestampReader

# The header `oslo._HEADER` reads, in the subset this path handles: date and time separated by a
# space, the logger followed by a space or the end of the line (RE2 \w is ASCII, Python's is not:
# a logger that ends in a non-ASCII letter fails here and sends the chunk to the reference path).
_HEADER = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[.,]\d+)? \d+ [A-Z]+ [\w.:-]+(?: |$)"
_INSTANCE = r"^\[instance: (?P<id>[0-9a-fA-F-]{36})\](?P<space> ?)"
_INSTANCE_LEN = len("[instance: ") + 36 + 1
_LEVEL_WORDS = pa.array(list(LEVEL_ALIASES))
_LEVEL_NAMES = pa.array(list(LEVEL_ALIASES.values()))
# A context block as oslo.parse_context reads it with str.split() when the words are printable
# ASCII separated by single spaces; other blocks go to the reference path.
_SIMPLE_BLOCK = r"^(?:[!-~]+(?: [!-~]+)*)?$"
# oslo._DEBUG_SUFFIX's file, with Python's \S spelled out for ASCII (RE2's \S takes \v and \x1c-\x1f).
_NOT_SPACE = r"[^ \t\n\r\f\x0b\x1c-\x1f]"
_CODE_FILE = rf"^/{_NOT_SPACE}+\.py:\d+$"
# access._OSLO_ACCESS, for ASCII messages.
_ACCESS = (rf'(?P<client>{_NOT_SPACE}+) "(?P<method>[A-Z]+) (?P<uri>{_NOT_SPACE}+)(?: HTTP/[\d.]+)?" '
           rf"status: (?P<status>\d{{3}}) +len: (?P<len>\d+|-)(?: microversion: {_NOT_SPACE}+)?"
           r"(?: time: (?P<secs>\d*\.?\d+))?")
# The keys of attrs this path fills, in the order the reference adds them.
_ATTR_KEYS = ("system_scope", "code_func", "code_file", "client_ip")


class _NotThisPath(Exception):
    """The chunk holds something only the reference parser handles exactly."""


def parse_oslo_chunk(data: bytes, start: int, final: bool, source: SourceInfo, clock: TimestampReader,
                     received_us: int, max_line_bytes: int) -> tuple[pa.Table, ParseStats, int] | None:
    """The table of finished records, their statistics and the offset the next chunk starts at
    (the first byte of the record held back when not `final`); None when the chunk is not for
    this path."""
    if clock.tz is not timezone.utc or not data:
        return None
    try:
        data.decode("utf-8")  # only to check it: Arrow strings must be valid UTF-8
        return _parse(data, start, final, source, clock, received_us, max_line_bytes)
    except (UnicodeDecodeError, _NotThisPath):
        return None


def _lines(data: bytes, max_line_bytes: int) -> tuple[pa.StringArray, np.ndarray]:
    """The lines of the chunk (without their end of line) and the offset of each in the chunk."""
    raw = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(raw == 10)
    if not len(ends) or ends[-1] != len(data) - 1:
        ends = np.append(ends, len(data))
    starts = np.concatenate(([0], ends[:-1] + 1))
    if int((ends - starts).max()) > max_line_bytes:
        raise _NotThisPath  # lines to cut into pieces
    bounds = np.append(starts, min(ends[-1] + 1, len(data))).astype(np.int32)
    lines = pa.StringArray.from_buffers(len(starts), pa.py_buffer(bounds), pa.py_buffer(data))
    return pc.utf8_rtrim(lines, characters="\r\n"), starts


def _require(condition: object) -> None:
    if not condition:
        raise _NotThisPath


def _mask(array: pa.Array) -> np.ndarray:
    return array.to_numpy(zero_copy_only=False)


def _parse(data: bytes, start: int, final: bool, source: SourceInfo, clock: TimestampReader,
           received_us: int, max_line_bytes: int) -> tuple[pa.Table, ParseStats, int]:
    lines, line_starts = _lines(data, max_line_bytes)
    n = len(lines)
    header = _mask(pc.match_substring_regex(lines, _HEADER))
    _require(header[0])  # a chunk starts with a record (the importer's checkpoints see to it)
    # Any other line joins the record before it, as in SourceParser, unless a format reads it.
    for i in np.flatnonzero(~header):
        line = lines[int(i)].as_py()
        _require(not line[:1] or line[:1].isspace() or not understood(line, clock))

    rows = np.flatnonzero(header)
    fields = _header_fields(lines.take(pa.array(rows)))
    rest = fields.pop("rest")
    has_context, rest, context = _context(rest)
    rest, instance = _instance(rest)
    message, finished = _finish(rest, fields["level"])

    # logging_exception_prefix lines join the record: no context, the same header as the header
    # line before (which is the record's own), and not "[-] ..." (oslo.continues_traceback).
    key = fields.pop("header")
    same_header = np.zeros(len(rows), dtype=bool)
    same_header[1:] = _mask(pc.equal(key[1:], key[:-1]))
    joins = same_header & ~has_context & ~_mask(pc.starts_with(message, "[-]"))

    starts_record = np.zeros(n, dtype=bool)
    starts_record[rows] = ~joins
    bounds = np.append(np.flatnonzero(starts_record), n)  # records are runs of lines
    _require(np.diff(bounds).max() <= MAX_JOINED_LINES)
    line_bytes = np.diff(np.append(line_starts, len(data)))
    _require(np.add.reduceat(line_bytes, bounds[:-1]).max() < MAX_RECORD_CHARS)

    # What each line adds to its record: a header line its message, any other line itself.
    row_of_line = np.full(n, -1, dtype=np.int64)
    row_of_line[rows] = np.arange(len(rows))
    pick = np.where(header, row_of_line, len(rows) + np.arange(n))
    texts = pa.concat_arrays([message, lines]).take(pa.array(pick))

    records = len(bounds) - 1
    keep = records if final else records - 1  # the last record may go on in the next chunk
    end = start + (len(data) if final else int(line_starts[bounds[keep]]))
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(bounds[:keep + 1].astype(np.int32)),
                                                     texts.slice(0, int(bounds[keep]))), "\n")
    first = pa.array(row_of_line[bounds[:keep]])  # the header row of each kept record
    columns = {name: array.take(first) for name, array in {**fields, **context, **instance, **finished}.items()}
    columns["attrs"] = _attrs(columns, keep)
    columns["message"] = joined
    columns["offset"] = pa.array(line_starts[bounds[:keep]] + start, type=pa.uint64())
    table = _table(columns, keep, source, received_us)
    stats = ParseStats(lines=int(bounds[keep]), records=keep, parsed=keep, formats={"oslo": keep} if keep else {})
    return table, stats, end


def _header_fields(head: pa.StringArray) -> dict[str, pa.Array]:
    """ts, pid, level, logger, the rest of the line and the header (as the joining rule compares
    it) of lines that match _HEADER."""
    parts = pc.split_pattern(head, " ", max_splits=5)
    values = parts.flatten()
    base = np.asarray(parts.offsets)[:-1]
    has_rest = pa.array(_mask(pc.list_value_length(parts)) == 6)

    def part(k: int) -> pa.Array:
        return values.take(pa.array(np.minimum(base + k, len(values) - 1)))

    date, time_of_day, pid, level_word, logger = (part(k) for k in range(5))
    seconds = pc.strptime(pc.binary_join_element_wise(date, pc.utf8_slice_codeunits(time_of_day, 0, 8), " "),
                          format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    _require(seconds.null_count == 0)  # a date the reference reads and Arrow does not
    micros = pc.cast(pc.utf8_rpad(pc.utf8_slice_codeunits(time_of_day, 9, 15), width=6, padding="0"), pa.int64())
    level_at = pc.index_in(level_word, value_set=_LEVEL_WORDS)
    _require(level_at.null_count == 0)  # no level: not oslo.log
    try:
        pids = pc.cast(pid, pa.uint32())
    except (pa.ArrowInvalid, OverflowError):
        raise _NotThisPath from None
    return {
        "ts": pc.add(pc.multiply(pc.cast(seconds, pa.int64()), 1_000_000), micros),
        "pid": pids,
        "level": _LEVEL_NAMES.take(level_at),
        "logger": logger,
        "rest": pc.if_else(has_rest, part(5), ""),
        "header": pc.binary_join_element_wise(date, time_of_day, pid, level_word, logger,
                                              pc.if_else(has_rest, "1", "0"), " "),
    }


def _context(rest: pa.StringArray) -> tuple[np.ndarray, pa.StringArray, dict[str, pa.Array]]:
    """Context blocks taken apart as oslo.parse_context does, for blocks of printable ASCII words
    separated by single spaces (any other block sends the chunk to the reference path)."""
    candidate = pc.and_(pc.and_(pc.starts_with(rest, "["), pc.invert(pc.starts_with(rest, "[instance:"))),
                        pc.greater(pc.find_substring(rest, "]"), 0))
    pieces = pc.split_pattern(pc.if_else(candidate, rest, "[-]"), "]", max_splits=1)
    blocks = pc.utf8_slice_codeunits(pc.list_element(pieces, 0), 1)
    after = pc.utf8_ltrim(pc.list_element(pieces, 1), characters=" ")
    _require(pc.all(pc.match_substring_regex(blocks, _SIMPLE_BLOCK)).as_py())

    tokens = pc.split_pattern(blocks, " ")
    words = tokens.flatten()
    base = np.asarray(tokens.offsets)[:-1]
    count = _mask(pc.list_value_length(tokens))

    def word(position: np.ndarray, present: np.ndarray) -> pa.Array:
        taken = words.take(pa.array(np.minimum(base + position, len(words) - 1)))
        return pc.if_else(pa.array(present), taken, "")

    first, second = word(np.zeros_like(count), count > 0), word(np.ones_like(count), count > 1)
    first_is_req = _mask(pc.starts_with(first, "req-"))
    first_none = _mask(pc.equal(first, "None"))
    first_dash = _mask(pc.equal(first, "-"))
    # [None req-L ...] or [req-G req-L ...]: global and local id; [req-L ...] or [- ...]: local only.
    two_ids = (first_none | (first_is_req & _mask(pc.starts_with(second, "req-")) & (count > 1))) & (count >= 2)
    one_id = ~two_ids & ~first_none & (first_is_req | (first_dash & (count > 1)))
    nothing = (count == 1) & first_dash  # [-]
    found = _mask(candidate) & (two_ids | one_id | nothing)
    skip = np.where(two_ids, 2, 1)
    identity = count - skip
    columns = {
        "global_request_id": pc.if_else(pa.array(two_ids), _request_id(first), ""),
        "request_id": pc.if_else(pa.array(two_ids), _request_id(second),
                                 pc.if_else(pa.array(one_id), _request_id(first), "")),
    }
    six, five = identity == 6, identity == 5
    for name, position, present in (
            ("user_id", 0, identity >= 1), ("project_id", 1, identity >= 2), ("domain_id", 2, six | five),
            ("system_scope", 3, six), ("user_domain", np.where(six, 4, 3), six | five),
            ("project_domain", np.where(six, 5, 4), six | five)):
        columns[name] = _dash(word(skip + position, present & (two_ids | one_id)))
    columns = {name: pc.if_else(pa.array(found), values, "") for name, values in columns.items()}
    return found, pc.if_else(pa.array(found), after, rest), columns


def _dash(values: pa.Array) -> pa.Array:
    """oslo._dash: "-" and "None" mean nothing."""
    return pc.if_else(pc.is_in(values, value_set=pa.array(["-", "None"])), "", values)


def _request_id(values: pa.Array) -> pa.Array:
    """oslo._strip_req(oslo._dash(token))."""
    values = _dash(values)
    return pc.if_else(pc.starts_with(values, "req-"), pc.utf8_slice_codeunits(values, 4), values)


def _instance(rest: pa.StringArray) -> tuple[pa.StringArray, dict[str, pa.Array]]:
    """`[instance: <uuid>]` at the head of the message (oslo._INSTANCE)."""
    m = pc.extract_regex(rest, _INSTANCE)
    matched = pc.is_valid(m)
    # The children of a null struct hold "" whatever the parent says: mask, as in _finish.
    skip = pc.add(pc.utf8_length(pc.if_else(matched, m.field("space"), "")), _INSTANCE_LEN)
    stripped = _slice_from(rest, skip)
    instance_id = pc.utf8_lower(pc.if_else(matched, m.field("id"), ""))
    return pc.if_else(matched, stripped, rest), {"instance_id": instance_id}


def _slice_from(strings: pa.StringArray, starts: pa.Array) -> pa.StringArray:
    """Each string from its own start on (only two starts occur here: 48 and 49)."""
    out = strings
    for value in pc.unique(starts).to_pylist():
        out = pc.if_else(pc.equal(starts, value), pc.utf8_slice_codeunits(strings, value), out)
    return out


def _finish(rest: pa.StringArray, level: pa.StringArray) -> tuple[pa.StringArray, dict[str, pa.Array]]:
    """The end of oslo.parse_oslo_body on columns: the DEBUG suffix, then the access-log fields."""
    debug = _mask(pc.and_(pc.equal(level, "DEBUG"), pc.match_substring_regex(rest, "[0-9]$")))
    tail = pc.split_pattern(rest, " ", max_splits=2, reverse=True)
    has_tail = pa.array(_mask(pc.list_value_length(tail)) == 3)
    # Lines with fewer than two spaces get three empty pieces, so that every row has a [k].
    padded = pc.if_else(has_tail, tail, pa.scalar(["", "", ""], tail.type))
    head, func, where = (pc.list_element(padded, k) for k in range(3))
    # Python's \w, \S and \d read non-ASCII characters that RE2's do not: those lines go to the
    # reference path.
    _require(pc.all(pc.string_is_ascii(pc.filter(pc.binary_join_element_wise(func, where, ""),
                                                 pa.array(debug)))).as_py() is not False)
    suffix = pa.array(debug & _mask(has_tail) & _mask(pc.and_(pc.match_substring_regex(func, r"^[\w<>]+$"),
                                                         pc.match_substring_regex(where, _CODE_FILE))))
    message = pc.if_else(suffix, head, rest)
    columns = {"code_func": pc.if_else(suffix, func, ""), "code_file": pc.if_else(suffix, where, "")}

    access = pc.match_substring(message, '" status: ')
    _require(pc.all(pc.string_is_ascii(pc.filter(message, access))).as_py() is not False)
    m = pc.extract_regex(pc.if_else(access, message, ""), _ACCESS)
    ok = pc.fill_null(pc.and_(access, pc.is_valid(m)), False)

    def group(name: str, otherwise: str = "") -> pa.Array:
        # The children of a null struct hold "" and Arrow casts them regardless: mask first.
        return pc.if_else(ok, m.field(name), otherwise)

    length, secs = group("len", "-"), group("secs")  # RE2 gives "" for a group that took no part
    has_length, timed = pc.not_equal(length, "-"), pc.not_equal(secs, "")
    try:
        columns.update({
            "client_ip": group("client"),
            "http_method": group("method"),
            "http_path": pc.list_element(pc.split_pattern(group("uri"), "?", max_splits=1), 0),
            "http_status": pc.cast(group("status", "0"), pa.uint16()),
            "http_bytes": pc.if_else(has_length, pc.cast(pc.if_else(has_length, length, "0"), pa.uint64()),
                                     pa.scalar(None, pa.uint64())),
            "http_time_ms": pc.if_else(timed, pc.multiply(pc.cast(pc.if_else(timed, secs, "0"), pa.float64()),
                                                          1000.0), pa.scalar(None, pa.float64())),
        })
    except (pa.ArrowInvalid, OverflowError):
        raise _NotThisPath from None  # a number too large for its column: see records_to_table
    return message, columns


def _attrs(columns: dict[str, pa.Array], rows: int) -> pa.MapArray:
    """The attrs map from its possible keys, in the order the reference adds them; a key is there
    when its value is not empty."""
    values = [columns.pop(name) for name in _ATTR_KEYS]
    present = np.column_stack([_mask(pc.not_equal(v, "")) for v in values]) if rows else np.zeros((0, 4), bool)
    row, key = np.nonzero(present)  # row-major: each row's keys in _ATTR_KEYS order
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(present.sum(axis=1), out=offsets[1:])
    items = pa.concat_arrays([v.cast(pa.string()) for v in values]).take(pa.array(key * rows + row))
    return pa.MapArray.from_arrays(pa.array(offsets), pa.array(_ATTR_KEYS).take(pa.array(key)), items,
                                   type=BY_NAME["attrs"].arrow_type)


def _table(columns: dict, rows: int, source: SourceInfo, received_us: int) -> pa.Table:
    """The store's schema from the record columns; the source fills host, service, program, source."""
    constant = {"host": source.host, "service": source.service, "program": source.program, "source": source.path}
    arrays = []
    for col in COLUMNS:
        name = col.name
        if name in constant:
            arrays.append(pa.array([constant[name]] * rows, col.arrow_type))
        elif name == "ts":
            ts = columns["ts"]
            # As in records_to_table: a line that says nothing of its time gets the receive time.
            arrays.append(pc.if_else(pc.equal(ts, 0), received_us, ts).cast(col.arrow_type))
        elif name == "received":
            arrays.append(pa.array([received_us // 1_000_000] * rows, pa.int64()).cast(col.arrow_type))
        elif name in columns:
            arrays.append(columns[name].cast(col.arrow_type))
        else:
            arrays.append(pa.array([col.missing] * rows, col.arrow_type))
    return pa.Table.from_arrays(arrays, schema=ARROW_SCHEMA)
