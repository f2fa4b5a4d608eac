"""Log templates: every message is given the template it was written from, mined online.

Two stages. The first is vectorised over a whole batch (one RE2 pass of Arrow's, the batch cut in
pieces for both cores): in the message's head, times and every word with a digit in it (numbers,
IP addresses, UUIDs, ids) become `<*>`, so that what obviously varies no longer makes two lines of
one template differ. Most batches then hold a few hundred distinct masked messages for hundreds
of thousands of lines.

The second stage sees only those distinct masked messages, in the order they first appear (so
the same input always gives the same templates). Drain's idea: messages with the same number of
tokens and the same first token are compared position by position, and one similar enough to a
known template joins it, the positions where they differ becoming variables; otherwise it starts
a template of its own. Two things make the templates read like the code that wrote them:

- a masked position stays literal while every line seen there had the same text (`status: 200`
  in a log that only ever says 200 is part of the template), and becomes a variable when a
  second value is seen (the template generalises);
- a variable is typed by the values seen there: `<UUID>`, `<IP>`, `<NUM>`, `<PATH>`, else `<*>`.

A template keeps its id when it generalises, so lines stored before keep pointing at it.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HEAD_CHARS = 2048  # the part of a message mined: a 1 MB line costs what its head costs
MIN_PIECE = 20_000  # rows below which a batch is masked in one piece
SIMILARITY = 0.5  # share of a template's literal tokens a message must repeat to join it
MAX_VALUES = 4  # distinct values remembered per position: a second makes it a variable
CACHE_SIZE = 200_000  # masked messages remembered with their template
# Raw lines a template compares per distinct masked message per batch, spread evenly from its
# first to its last: more the first time a message is seen (its positions literal or variable are
# decided then), fewer after (what it sees adds up over the batches).
SAMPLES, SAMPLES_KNOWN = 8, 3
EXAMPLES = 3  # example messages a template keeps (the first different ones it met)

_TIME = (r"(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
         r"|\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [+-]\d{4})?"
         r"|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})")
# One pass: a time (it may span words, and its digits are not numbers of their own), or a word with
# a digit in it (numbers, IP addresses, UUIDs, ids like tap7a6081f2-8b). What the
# variable is, <NUM> or <IP>…, is told later from the raw values, per template, not per line.
MASK = _TIME + r"|\b[\w.\-]*\d[\w.\-]*"  # no capture group: RE2 then replaces with its DFA alone
TIME = re.compile(_TIME)  # the same, for the raw lines a template compares (RE2 and re agree on it)
_PARTS = re.compile(r"([^\w.\-]+)")  # a token's parts: words (with dots and dashes) and what separates them
_EDGE = re.compile(r"^([\"'(\[{<]*)(.*?)([\"')\]}>,;:.]*)$", re.DOTALL)  # quotes and brackets around a value
_LOCATION = re.compile(r"/|\w+://")  # a path or a URL: when it varies, it is one value
_TYPES = (
    ("<UUID>", re.compile(r"(?:req-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")),
    ("<IP>", re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d+)?")),
    ("<NUM>", re.compile(r"-?\d+(?:\.\d+)?")),
    ("<PATH>", re.compile(r"/[^\s/]+(?:/[^\s/]*)+")),
)


def _mask_piece(messages: pa.Array) -> pa.Array:
    if len(messages) and pc.max(pc.binary_length(messages)).as_py() > HEAD_CHARS:
        messages = pc.utf8_slice_codeunits(messages, 0, HEAD_CHARS)
    return pc.replace_substring_regex(messages, MASK, "<*>")


def mask_messages(messages: pa.Array | pa.ChunkedArray, pool: ThreadPoolExecutor | None = None) -> pa.Array:
    """Each message's head with what obviously varies masked (see the module's docstring)."""
    if isinstance(messages, pa.ChunkedArray):
        messages = messages.combine_chunks()
    if pool is None or len(messages) < 2 * MIN_PIECE:
        return _mask_piece(messages)
    pieces = 4
    size = -(-len(messages) // pieces)
    parts = list(pool.map(_mask_piece, [messages.slice(i * size, size) for i in range(pieces)]))
    return pa.concat_arrays(parts)


def value_type(values: set[str]) -> str:
    """The placeholder for what these raw values have in common, by their type."""
    for name, pattern in _TYPES:
        if all(pattern.fullmatch(v) for v in values):
            return name
    return "<*>"


def variable_token(values: set[str]) -> str:
    """A token whose lines differed, written as a template: the parts every line shared stay
    literal, the others become typed variables ("0/0/2768" and "0/0/311" give "0/0/<NUM>",
    '"GET' and '"POST' give '"<*>'). A path or URL that varies is one value, and so is a word
    joined by dashes (tap8a7db67f-dc). A time is already <TIME> in the values (`observe`)."""
    edges = [_EDGE.match(v).groups() for v in values]  # type: ignore[union-attr]
    split = [_PARTS.split(v) for v in values]
    if len({len(parts) for parts in split}) == 1 and not any(_LOCATION.match(e[1]) for e in edges):
        return "".join(column[0] if len(set(column)) == 1 else value_type(set(column))
                       for column in zip(*split, strict=True))
    heads, tails = {e[0] for e in edges}, {e[2] for e in edges}
    if len(heads) == 1 and len(tails) == 1:
        return f"{heads.pop()}{value_type({e[1] for e in edges})}{tails.pop()}"
    return value_type(values)


@dataclass
class Template:
    id: int
    masked: list[str]  # the masked tokens; "<*>" where messages of the template differed
    separators: list[str]  # the whitespace after each token, from the first message
    values: list[set[str]] = field(default_factory=list)  # raw tokens seen per position (≤ MAX_VALUES)
    count: int = 0
    examples: list[str] = field(default_factory=list)
    changed: bool = True  # what it would save changed since the catalogue last saved it

    def state(self) -> dict:
        """What the miner needs to go on with this template after a restart."""
        return {"masked": self.masked, "separators": self.separators, "values": [sorted(v) for v in self.values]}

    @classmethod
    def from_state(cls, tid: int, state: dict, count: int = 0, examples: list[str] | None = None) -> Template:
        return cls(tid, list(state["masked"]), list(state["separators"]), [set(v) for v in state["values"]], count,
                   list(examples or []), changed=False)

    @property
    def key(self) -> tuple[int, str]:
        return _key(self.masked)

    def text(self) -> str:
        """The template as people read it: literal where every line agreed, else typed variables."""
        out = []
        for token, seen, sep in zip(self.masked, self.values, self.separators, strict=True):
            if len(seen) == 1:
                out.append(next(iter(seen)))
            elif seen:
                out.append(variable_token(seen))
            else:
                out.append(token)
            out.append(sep)
        return "".join(out).rstrip()

    def observe(self, raw: str) -> None:
        """Remember the raw tokens of a line of this template (up to MAX_VALUES per position), and
        the line as an example while it has fewer than EXAMPLES."""
        if len(self.examples) < EXAMPLES and raw[:HEAD_CHARS] not in self.examples:
            self.examples.append(raw[:HEAD_CHARS])
            self.changed = True
        for i, token in enumerate(TIME.sub("<TIME>", raw[:HEAD_CHARS]).split()[:len(self.values)]):
            seen = self.values[i]
            if len(seen) < MAX_VALUES and token not in seen:
                seen.add(token)
                self.changed = True


def _key(tokens: list[str]) -> tuple[int, str]:
    first = tokens[0] if tokens else ""
    return len(tokens), "<*>" if "<*>" in first else first


def _split(text: str) -> tuple[list[str], list[str]]:
    """The tokens of a message and the whitespace after each (so a template keeps its lines)."""
    parts = re.split(r"(\s+)", text.strip())
    if parts == [""]:
        return [], []
    return parts[0::2], [*parts[1::2], ""]


def _similarity(template: list[str], tokens: list[str]) -> tuple[float, int]:
    literal = same = 0
    wild = 0
    for a, b in zip(template, tokens, strict=True):
        if a == "<*>":
            wild += 1
            continue
        literal += 1
        same += a == b
    return (same / literal if literal else 1.0), wild


class TemplateMiner:
    """Online, incremental, deterministic template mining (see the module's docstring). Not
    thread-safe: its owner serialises the batches."""

    def __init__(self, similarity: float = SIMILARITY) -> None:
        self.similarity = similarity
        self.templates: dict[int, Template] = {}
        self._leaves: dict[tuple[int, str], list[int]] = {}
        self._cache: OrderedDict[str, int] = OrderedDict()
        self._next_id = 1
        self._pool = ThreadPoolExecutor(2, thread_name_prefix="template-mask")

    def add(self, template: Template) -> None:
        """A template known from before (the catalogue, on start)."""
        self.templates[template.id] = template
        self._leaves.setdefault(template.key, []).append(template.id)
        self._next_id = max(self._next_id, template.id + 1)

    def label(self, messages: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """The template id of every message (uint32), mining new templates as they come."""
        raw = messages.combine_chunks() if isinstance(messages, pa.ChunkedArray) else messages
        return self.assign(raw, self.mask(raw))

    def mask(self, messages: pa.Array) -> pa.DictionaryArray:
        """The first stage: the masked messages, dictionary-encoded. Pure, so callers may run it
        for several batches at once, outside whatever serialises `assign`."""
        return mask_messages(messages, self._pool).dictionary_encode()

    def assign(self, raw: pa.Array, encoded: pa.DictionaryArray) -> np.ndarray:
        """The second stage: each distinct masked message's template (found, joined or new), and
        so every message's template id."""
        if len(raw) == 0:
            return np.zeros(0, dtype=np.uint32)
        masked = encoded.dictionary.to_pylist()
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        order = np.argsort(indices, kind="stable")  # rows of each distinct masked message, in row order
        bounds = np.searchsorted(indices[order], np.arange(len(masked) + 1))
        counts = np.diff(bounds)
        firsts = order[bounds[:-1]]
        ids = np.zeros(len(masked), dtype=np.uint32)
        for i in np.argsort(firsts, kind="stable"):  # in the order they first appear
            rows = order[bounds[i]:bounds[i + 1]]
            text = masked[i] or ""
            n, last = SAMPLES_KNOWN if text in self._cache else SAMPLES, len(rows) - 1
            picks = sorted({int(rows[k * last // (n - 1)]) for k in range(n)})
            template = self._mine(text, [raw[p].as_py() or "" for p in picks])
            template.count += int(counts[i])
            template.changed = True
            ids[i] = template.id
        return ids[indices]

    def _mine(self, masked: str, samples: list[str]) -> Template:
        known = self._cache.get(masked)
        if known is not None:
            self._cache.move_to_end(masked)
            template = self.templates[known]
        else:
            template = self._place(masked)
            self._cache[masked] = template.id
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        for sample in samples:
            template.observe(sample)
        return template

    def _place(self, masked: str) -> Template:
        tokens, separators = _split(masked)
        key = _key(tokens)
        best, best_score = None, (-1.0, -1)
        for tid in self._leaves.get(key, ()):
            score = _similarity(self.templates[tid].masked, tokens)
            if score > best_score:
                best, best_score = self.templates[tid], score
        if best is not None and best_score[0] >= self.similarity:
            for i, (a, b) in enumerate(zip(best.masked, tokens, strict=True)):
                if a != b and a != "<*>":
                    best.masked[i] = "<*>"
                    best.changed = True
            return best
        template = Template(self._next_id, tokens, separators, [set() for _ in tokens])
        self._next_id += 1
        self.templates[template.id] = template
        self._leaves.setdefault(key, []).append(template.id)
        return template
