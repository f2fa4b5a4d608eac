"""How well templates were found, against labelled messages (docs/templates.md has the metrics).

Each message has a true template and a found one; messages with the same template form a group.

- GA, grouping accuracy (Zhu et al., ICSE-SEIP 2019): the share of messages whose found group holds
  exactly the messages of their true group.
- PA, parsing accuracy (Dai et al., TSE 2020): the share of messages whose found template is their
  true template, word for word (every variable written `<*>`, whatever its type).
- FGA, F1 of grouping (Jiang et al., ICSE 2024, Loghub-2.0): a found group is right when it holds
  exactly the messages of a true group; precision = right groups / found groups, recall = right
  groups / true groups.
- FTA, F1 of template accuracy (Khan et al., ICSE 2022): as FGA, a found group counting only when
  its template is also the true one, word for word.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Hashable, Sequence
from pathlib import Path

from venus.errors import BadRequest

_ANY_PLACEHOLDER = re.compile(r"<(?:TIME|UUID|IP|NUM|PATH|HEX|\*)>")
LABEL_COLUMNS = ("LineId", "Content", "EventId", "EventTemplate")


def same_template_text(template: str) -> str:
    """A template as the metrics compare it: every variable `<*>`, the ends stripped."""
    return _ANY_PLACEHOLDER.sub("<*>", template).strip()


def _groups(keys: Sequence[Hashable]) -> dict[Hashable, frozenset[int]]:
    members: dict[Hashable, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        members[key].append(i)
    return {key: frozenset(rows) for key, rows in members.items()}


def _f1(right: int, found: int, true: int) -> float:
    precision = right / found if found else 0.0
    recall = right / true if true else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def template_accuracy(true_templates: Sequence[str], found_ids: Sequence[Hashable],
                      found_templates: Sequence[str]) -> dict:
    """GA, PA, FGA and FTA of found groups (`found_ids`, with each message's found template) against
    the true templates (a true group is the messages of one true template)."""
    if not (len(true_templates) == len(found_ids) == len(found_templates)):
        raise ValueError("one true template, found id and found template per message")
    total = len(true_templates)
    truth = [same_template_text(t) for t in true_templates]
    true_groups = _groups(truth)
    found_groups = _groups(found_ids)
    true_sets = set(true_groups.values())
    right_groups = [key for key, rows in found_groups.items() if rows in true_sets]
    grouped = sum(len(found_groups[key]) for key in right_groups)
    parsed = sum(1 for t, f in zip(truth, found_templates, strict=True) if t == same_template_text(f))
    right_templates = 0
    for key in right_groups:
        first = next(iter(found_groups[key]))
        right_templates += truth[first] == same_template_text(found_templates[first])
    return {
        "messages": total, "true_templates": len(true_groups), "found_templates": len(found_groups),
        "GA": round(grouped / total, 4) if total else 0.0,
        "PA": round(parsed / total, 4) if total else 0.0,
        "FGA": round(_f1(len(right_groups), len(found_groups), len(true_groups)), 4),
        "FTA": round(_f1(right_templates, len(found_groups), len(true_groups)), 4),
    }


def write_labelled(path: Path, labels: Sequence[tuple[str, str]]) -> int:
    """Labelled messages as a Loghub-style structured CSV (LineId, Content, EventId,
    EventTemplate); EventIds number the templates in the order they first appear."""
    ids: dict[str, str] = {}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(LABEL_COLUMNS)
        for line, (content, template) in enumerate(labels, 1):
            out.writerow([line, content, ids.setdefault(template, f"E{len(ids) + 1}"), template])
    return len(ids)


def read_labelled(path: Path, templates: Path | None = None) -> list[tuple[str, str]]:
    """(content, template) per message: from a structured CSV with Content and EventTemplate
    columns, or from a raw log (one message a line) with a CSV of EventTemplate, each line taking
    the first template that matches it whole (a line no template matches is an error)."""
    if templates is None:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = csv.DictReader(fh)
            missing = {"Content", "EventTemplate"} - set(rows.fieldnames or ())
            if missing:
                raise BadRequest(f"{path}: no {', '.join(sorted(missing))} column; a structured CSV has "
                                 f"{', '.join(LABEL_COLUMNS)}", field="labelled")
            return [(row["Content"], row["EventTemplate"]) for row in rows]
    with open(templates, newline="", encoding="utf-8") as fh:
        rows = csv.DictReader(fh)
        if "EventTemplate" not in (rows.fieldnames or ()):
            raise BadRequest(f"{templates}: no EventTemplate column", field="templates")
        known = [row["EventTemplate"] for row in rows]
    patterns = [re.compile(".*?".join(re.escape(p) for p in t.split("<*>")), re.DOTALL) for t in known]
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            content = line.rstrip("\n")
            template = next((t for t, p in zip(known, patterns, strict=True) if p.fullmatch(content)), None)
            if template is None:
                raise BadRequest(f"{path}:{number}: no template of {templates} matches the line", field="labelled")
            out.append((content, template))
    return out
