"""`venus eval …`: measure the template miner. `templates` scores it (GA, PA, FGA, FTA) and times it
beside drain3 on labelled messages; `mine` runs it on log files as import reads them and counts
their templates (for logs without labels)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import pyarrow as pa
import typer
from rich.table import Table

from venus.cli_common import _fail, err, out
from venus.errors import VenusError
from venus.jsonfmt import dumps

eval_app = typer.Typer(help="Measure the template miner: accuracy and speed beside drain3.", no_args_is_help=True)

SCORES = ("lines_per_s", "templates", "GA", "PA", "FGA", "FTA")


@eval_app.command("templates")
def eval_templates(
        labelled: Annotated[Path, typer.Argument(help="a structured CSV (LineId, Content, EventId, EventTemplate), "
                                                      "or a raw log with --templates", exists=True, dir_okay=False)],
        templates: Annotated[Optional[Path], typer.Option(help="a CSV of EventTemplate for a raw log",
                                                          exists=True, dir_okay=False)] = None,
        drain3: Annotated[bool, typer.Option(help="run drain3 beside it (as it comes, and with masking)")] = True,
        limit: Annotated[Optional[int], typer.Option(min=1, help="only the first N messages")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False) -> None:
    """Score the miner on labelled messages: grouping accuracy (GA), parsing accuracy (PA), and
    their F1 forms (FGA, FTA); docs/templates.md defines them. With drain3 on the same input."""
    from venus.analysis.template_accuracy import read_labelled
    from venus.analysis.template_bench import run_drain3, run_venus

    try:
        labels = read_labelled(labelled, templates)[:limit]
        if not labels:
            raise VenusError(f"{labelled}: no labelled message", field="labelled")
        messages = [content for content, _ in labels]
        truth = [template for _, template in labels]
        runs = [run_venus(messages)]
        if drain3:
            runs += [run_drain3(messages, masking=False), run_drain3(messages, masking=True)]
    except VenusError as exc:
        _fail(exc)
        return
    reports = [run.report(truth) for run in runs]
    if as_json:
        out.print(dumps({"input": str(labelled), "messages": len(labels), "runs": reports}).decode(), markup=False)
        return
    table = Table("miner", *SCORES, title=f"{len(labels):,} messages from {labelled}")
    for r in reports:
        table.add_row(r["miner"], *(f"{r[k]:,}" if isinstance(r[k], int) else str(r[k]) for k in SCORES))
    out.print(table)


@eval_app.command("mine")
def eval_mine(files: Annotated[list[Path], typer.Argument(help="log files, read as import reads them",
                                                         exists=True, dir_okay=False)],
              show: Annotated[int, typer.Option(min=0, help="print the N most frequent templates of each file")] = 0,
              as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False) -> None:
    """Mine the templates of log files without labels: per file its records, templates and speed."""
    from venus.analysis.templates import TemplateMiner
    from venus.ingest.inspect import Inspection, inspect_bytes
    from venus.parse.paths import describe_path

    results = []
    for path in files:
        try:
            records, _ = inspect_bytes(path.read_bytes(), Inspection(describe_path(str(path.absolute()))))
        except (OSError, VenusError) as exc:
            err.print(f"[yellow]skipped[/yellow] {path}: {exc}")
            continue
        messages = pa.array([r["message"] for r in records], type=pa.string())
        miner = TemplateMiner()
        started = time.perf_counter()
        miner.label(messages)
        seconds = time.perf_counter() - started
        top = sorted(miner.templates.values(), key=lambda t: -t.count)[:show]
        results.append({"file": str(path), "records": len(records), "templates": len(miner.templates),
                        "lines_per_s": round(len(records) / seconds) if seconds else None,
                        "top": [{"count": t.count, "template": t.text()} for t in top]})
    if as_json:
        out.print(dumps(results).decode(), markup=False)
        return
    for r in results:
        out.print(f"{r['file']}: {r['records']:,} records, {r['templates']:,} templates "
                  f"({r['lines_per_s']:,} lines/s)", markup=False)
        for t in r["top"]:
            out.print(f"  {t['count']:>8,}  {t['template'][:200]}", markup=False)
