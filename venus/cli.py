"""`venus …`: serve, agent, import, search, tail, context, chain, the metadata db, config and demo data."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from venus import __version__
from venus.cli_alerts import alerts_app, config_get, config_set, tasks_app
from venus.cli_analysis import anomalies_command, rca_command, templates_app
from venus.cli_auth import policy_app, tokens_app
from venus.cli_common import ConfigOpt, DataDirOpt, UrlOpt, _fail, _settings, err, out
from venus.cli_eval import eval_app
from venus.cli_reports import report_command
from venus.config import Settings, load_settings, render_ini
from venus.errors import VenusError

if TYPE_CHECKING:
    from venus.parse.paths import SourceInfo

app = typer.Typer(help="Venus: collect, search and analyse the logs of an OpenStack cloud.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
db_app = typer.Typer(help="The metadata store: rules, records, custom config.", no_args_is_help=True)
config_app = typer.Typer(help="The configuration: venus.conf (show, sample) and the runtime settings "
                         "of the running server (get, set).", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(alerts_app, name="alerts")
app.add_typer(tasks_app, name="tasks")
app.add_typer(eval_app, name="eval")
app.add_typer(templates_app, name="templates")
app.add_typer(tokens_app, name="tokens")
app.add_typer(policy_app, name="policy")
app.command("anomalies")(anomalies_command)
app.command("rca")(rca_command)
app.command("report")(report_command)
config_app.command("get")(config_get)
config_app.command("set")(config_set)
IMPORT_STREAMS = 2  # files imported at once
@app.command()
def serve(config: ConfigOpt = None, data_dir: DataDirOpt = None,
          host: Annotated[str | None, typer.Option(help="listen address (default 127.0.0.1)")] = None,
          port: Annotated[int | None, typer.Option(help="listen port (default 10010)")] = None,
          demo: Annotated[bool, typer.Option("--demo", help="load generated demo logs when the store is empty")] = False,
          ) -> None:
    """Run the server: HTTP API on the store it owns."""
    import uvicorn

    from venus.api.app import create_app

    try:
        settings = _settings(config, data_dir, host=host, port=port)
        _check_exposure(settings)
    except VenusError as exc:
        _fail(exc)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    url = f"http://{settings.api.host}:{settings.api.port}"
    application = create_app(settings, url=url)
    if demo:
        from venus.demo.load import load_demo_when_empty
        load_demo_when_empty(application)
    err.print(f"Venus {__version__} on {url} (data: {settings.data_path})")
    # uvicorn stops accepting on SIGTERM, lets running requests finish (so every acknowledged
    # import is committed), then runs the lifespan's shutdown, which closes the store.
    server = uvicorn.Server(uvicorn.Config(application, host=settings.api.host, port=settings.api.port,
                                           log_level="warning", timeout_graceful_shutdown=30))
    stop_server = server.handle_exit

    def handle_exit(sig: int, frame: object) -> None:
        application.state.tails.stop()  # live tails never finish by themselves: end them now
        stop_server(sig, frame)  # type: ignore[arg-type]

    server.handle_exit = handle_exit  # type: ignore[method-assign]
    server.run()


def _check_exposure(settings: Settings) -> None:
    """Refuse to listen beyond loopback without authentication: logs hold secrets and user ids."""
    host = settings.api.host
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not settings.api.auth_token and settings.api.auth_strategy == "noauth":
        raise VenusError(f"refusing to listen on {host} without authentication: set [api] auth_strategy = token "
                         "(API tokens: venus tokens create) or [api] auth_token (or VENUS_API_AUTH_TOKEN), "
                         "or listen on 127.0.0.1", field="host")
    if not loopback and settings.receivers.forward_port and not settings.receivers.forward_shared_key:
        raise VenusError(f"refusing to receive Forward on {host} without authentication: set [receivers] "
                         "forward_shared_key (fluentd's <security> shared_key), or listen on 127.0.0.1",
                         field="forward_shared_key")
    if settings.receivers.syslog_port:
        from venus.ingest.syslog_server import parse_networks

        parse_networks(settings.receivers.syslog_allowed_networks)  # a bad network stops start-up here


@app.command("import")
def import_(paths: Annotated[list[str], typer.Argument(help="files, directories, globs; .gz is read")],
            host: Annotated[str | None, typer.Option("--host", help="host the files come from "
                                                        "(default: from a <host>/var/log/... path, else this machine)")] = None,
            url: UrlOpt = None, config: ConfigOpt = None, data_dir: DataDirOpt = None,
            quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False) -> None:
    """Import log files (idempotent: a file imported before is not stored twice)."""
    from venus.client import connect
    from venus.ingest.files import LogFile, expand_paths, import_file
    from venus.parse.lines import ParseStats

    try:
        settings = _settings(config, data_dir)
        files, problems = expand_paths(paths)
        for p in problems:
            err.print(f"[yellow]skipped[/yellow] {p}", highlight=False)
        if not files:
            raise VenusError("no readable file to import", field="paths")
        backend = connect(settings, url, role="venus import")
    except VenusError as exc:
        _fail(exc)
    total = ParseStats()
    byte_count = 0
    started = time.perf_counter()
    local_host = socket.gethostname()
    chunk = settings.import_.chunk_bytes
    lock = threading.Lock()

    def import_one(f: LogFile, progress: Progress, task: TaskID) -> None:
        nonlocal byte_count
        source = _source_of(str(f.path.absolute()), host, local_host)

        def on_chunk(offset: int, result: dict) -> None:
            nonlocal byte_count
            committed = result["committed_offset"]
            with lock:
                total.add(ParseStats(**{k: result[k] for k in ("lines", "records", "parsed", "raw", "blank")},
                                     formats=result.get("formats", {})))
                byte_count += committed - offset
                elapsed = time.perf_counter() - started
                progress.update(task, description=f.path.name,
                                rate=f"{total.lines / elapsed:,.0f} lines/s" if elapsed else "",
                                advance=0 if f.compressed else committed - offset)

        start, end = import_file(f, source, chunk, backend, on_chunk)
        if f.compressed:
            progress.advance(task, f.size)
        if start and start == end:
            err.print(f"{f.path}: already imported", highlight=False)

    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[rate]}"),
                      TimeElapsedColumn(), console=err, disable=quiet, transient=True) as progress:
            task = progress.add_task("importing", total=sum(f.size for f in files), rate="")
            # Two files at a time: while the server parses one chunk (Python, holding the GIL) the
            # engine can write the other (the engine releases the GIL).
            with ThreadPoolExecutor(max_workers=IMPORT_STREAMS) as pool:
                for done in [pool.submit(import_one, f, progress, task) for f in files]:
                    done.result()
    except VenusError as exc:
        _fail(exc)
    finally:
        backend.close()
    seconds = time.perf_counter() - started
    rate = total.lines / seconds if seconds else 0
    out.print(f"imported {len(files)} file(s) into {backend.where}: {total.lines:,} lines, {byte_count:,} bytes, "
              f"{total.records:,} records ({total.parsed:,} parsed, {total.raw:,} raw), "
              f"{seconds:.2f} s, {rate:,.0f} lines/s")


def _source_of(path: str, host: str | None, local_host: str) -> SourceInfo:
    """What import knows of a file: a <host>/var/log/... tree names the host, else `host` (from
    --host), else the file is this machine's."""
    from venus.parse.paths import describe_path

    source = describe_path(path, host)
    return source if source.host else describe_path(path, local_host)


@app.command()
def parse(files: Annotated[list[str] | None, typer.Argument(help="files, directories, globs, .gz; "
                                                               "none or '-': standard input")] = None,
          source: Annotated[str | None, typer.Option("--source", help="read the input as if it were this "
                                                        "file: its path decides host, service and program")] = None,
          host: Annotated[str | None, typer.Option("--host", help="host the lines come from "
                                                      "(default: from a <host>/var/log/... path, else this machine)")] = None,
          line_format: Annotated[str | None, typer.Option("--format", help="read every line with this parser "
                                                             "(oslo, syslog, …: docs/parsing.md); default: "
                                                             "chosen per line as at import")] = None,
          timezone: Annotated[str | None, typer.Option("--timezone", help="zone of timestamps that carry "
                                                          "none (default: [import] timezone)")] = None,
          config: ConfigOpt = None) -> None:
    """Show how import reads lines, one JSON record per line on standard output; nothing is stored.

    Each record has the store's columns, `format` (the parser that read it, `raw` for none) and
    `raw` (its original text). A summary goes to standard error."""
    from venus.ingest.files import LogFile, expand_paths
    from venus.ingest.inspect import Inspection, inspect_stream, unnamed_source
    from venus.jsonfmt import dumps
    from venus.parse.lines import ParseStats

    names = files or ["-"]
    try:
        settings = load_settings(config)
        found, problems = expand_paths([n for n in names if n != "-"])
        for problem in problems:
            err.print(f"[yellow]skipped[/yellow] {escape(problem)}", highlight=False)
        inputs: list[LogFile | None] = [None] * ("-" in names) + found  # None: standard input
        if not inputs:
            raise VenusError("no readable file to parse", field="files")
    except VenusError as exc:
        _fail(exc)
    if None in inputs and sys.stdin.isatty():
        err.print("reading lines from the terminal; end with Ctrl-D", highlight=False)
    local_host = socket.gethostname()
    total = ParseStats()

    def emit(records: list[dict]) -> None:
        sys.stdout.buffer.write(b"".join(dumps(r) + b"\n" for r in records))

    try:
        for f in inputs:
            path = source or (str(f.path.absolute()) if f else None)
            how = Inspection(_source_of(path, host, local_host) if path else unnamed_source(host or local_host),
                             timezone or settings.import_.timezone, f.mtime if f else None,
                             settings.import_.max_line_bytes, line_format)
            with f.open() if f else nullcontext(sys.stdin.buffer) as fh:
                total.add(inspect_stream(fh, how, settings.import_.chunk_bytes, emit))
        sys.stdout.flush()
    except VenusError as exc:
        _fail(exc)
    except BrokenPipeError:
        # `venus parse big.log | head`: the reader has what it wanted.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    formats = ", ".join(f"{n:,} {name}" for name, n in sorted(total.formats.items(), key=lambda kv: -kv[1]))
    err.print(f"{total.records:,} records from {total.lines:,} lines ({formats or 'none parsed'}; "
              f"{total.raw:,} raw)", highlight=False)


@app.command()
def search(query: Annotated[str, typer.Argument(help="query, e.g. 'level:ERROR nova*'")] = "",
           since: Annotated[str | None, typer.Option(help="ISO time or '15m', '2d' ago")] = None,
           until: Annotated[str | None, typer.Option(help="ISO time or '15m', '2d' ago")] = None,
           limit: Annotated[int, typer.Option(help="lines to print (newest first)", min=1)] = 20,
           as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
           count_only: Annotated[bool, typer.Option("--count", help="print only the number of matching lines")] = False,
           url: UrlOpt = None, config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Search the logs, newest first."""
    from venus.client import connect
    from venus.jsonfmt import dumps

    try:
        backend = connect(_settings(config, data_dir), url, role="venus search")
        try:
            if count_only:
                out.print(str(backend.count(query, since, until)))
                return
            printed, cursor = 0, None
            while printed < limit:
                page = backend.search(query, since, until, min(limit - printed, 1000), cursor, total=False)
                for hit in page["hits"]:
                    if as_json:
                        sys.stdout.write(dumps(hit).decode() + "\n")
                    else:
                        out.print(_human(hit), markup=False)
                printed += len(page["hits"])
                cursor = page.get("next_cursor")
                if not cursor:
                    break
        finally:
            backend.close()
    except VenusError as exc:
        _fail(exc)


@app.command()
def tail(query: Annotated[str, typer.Argument(help="query, e.g. 'level:ERROR service:nova'")] = "",
         lines: Annotated[int, typer.Option("--lines", "-n", help="matching lines to show first", min=0,
                                            max=1000)] = 10,
         as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
         url: UrlOpt = None, config: ConfigOpt = None) -> None:
    """Follow the lines matching a query as the server stores them (Ctrl-C stops)."""
    from venus.client import connect_server
    from venus.jsonfmt import dumps

    try:
        backend = connect_server(_settings(config), url)
        try:
            for hit in backend.tail(query, lines):
                if as_json:
                    sys.stdout.write(dumps(hit).decode() + "\n")
                    sys.stdout.flush()
                else:
                    out.print(_human(hit), markup=False)
        except KeyboardInterrupt:
            pass
        finally:
            backend.close()
    except VenusError as exc:
        _fail(exc)


def _human(hit: dict) -> str:
    return f"{_time(hit['ts'])} {hit['host']} {hit['program'] or '-'} {hit['level'] or '-'} {hit['message']}  [id {hit['id']}]"


@app.command()
def context(line_id: Annotated[str, typer.Argument(help="a line id from search results")],
            before: Annotated[int, typer.Option(min=0)] = 10, after: Annotated[int, typer.Option(min=0)] = 10,
            as_json: Annotated[bool, typer.Option("--json")] = False,
            url: UrlOpt = None, config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Show a line with the lines before and after it in the same file."""
    from venus.client import connect
    from venus.jsonfmt import dumps

    try:
        backend = connect(_settings(config, data_dir), url, role="venus context")
        try:
            result = backend.context(line_id, before, after)
        finally:
            backend.close()
    except VenusError as exc:
        _fail(exc)
    rows = [*result["before"], result["line"], *result["after"]]
    for row in rows:
        if as_json:
            sys.stdout.write(dumps(row).decode() + "\n")
        else:
            mark = ">" if row["id"] == result["line"]["id"] else " "
            out.print(f"{mark} {_human(row)}", markup=False)


@app.command()
def chain(ident: Annotated[str, typer.Argument(help="a global or local request id (req- optional) or an instance UUID")],
          as_json: Annotated[bool, typer.Option("--json", help="the whole chain as one JSON document")] = False,
          url: UrlOpt = None, config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Follow a request across services: its spans (service, program, host, local request id) with
    their times, then every line in time order; the first error is marked."""
    from venus.client import connect
    from venus.jsonfmt import dumps

    try:
        backend = connect(_settings(config, data_dir), url, role="venus chain")
        try:
            result = backend.chain(ident)
        finally:
            backend.close()
    except VenusError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(dumps(result).decode() + "\n")
        return
    if not result["line_count"]:
        out.print(f"no line carries {result['id']}")
        raise typer.Exit(1)
    part_of = f" (part of request {result['part_of']})" if result.get("part_of") else ""
    out.print(f"{result['kind']} {result['id']}{part_of}: {result['line_count']} lines, "
              f"{result['error_count']} errors, {result['duration_ms']:.0f} ms, "
              f"services {', '.join(result['services'])}", markup=False)
    for span in result["spans"]:
        mark = "!" if span["error_count"] else " "
        out.print(f"{mark} {_time(span['start'])} {span['duration_ms']:>9.0f} ms  {span['service']}/"
                  f"{span['program']} on {span['host']} req-{span['request_id'] or '-'}: "
                  f"{span['line_count']} lines, {span['error_count']} errors", markup=False)
    out.print("")
    for line in result["lines"]:
        mark = ">" if line["id"] == result["first_error"] else " "
        out.print(f"{mark} {_human(line)}", markup=False)


def _time(ts: datetime | str) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if isinstance(ts, datetime) else ts


@config_app.command("show")
def config_show(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Print the effective settings and where each comes from."""
    try:
        settings = _settings(config, data_dir)
    except VenusError as exc:
        _fail(exc)
    out.print(render_ini(settings, with_origins=True), markup=False)


@config_app.command("sample")
def config_sample() -> None:
    """Print a venus.conf with every option, its default and its help."""
    sys.stdout.write(render_ini())


@db_app.command("upgrade")
def db_upgrade(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Bring the metadata store's schema (rules, records, custom config) up to date."""
    from venus.meta.store import metadata_for

    try:
        meta = metadata_for(_settings(config, data_dir))
        try:
            before = meta.current()
            after = meta.upgrade()
        finally:
            meta.close()
    except VenusError as exc:
        _fail(exc)
    out.print(f"{meta.safe_url}: revision {after}" + ("" if before == after else f" (was {before or 'empty'})"),
              markup=False)


@app.command()
def demo(directory: Annotated[Path, typer.Argument(help="where to write the <host>/var/log tree")],
         lines: Annotated[int, typer.Option(min=1, help="about how many lines")] = 200_000,
         computes: Annotated[int, typer.Option(min=1, help="compute hosts")] = 8,
         seed: Annotated[int, typer.Option(help="random seed (same seed, same logs)")] = 7,
         labelled: Annotated[Path | None, typer.Option(
             help="also write each record's message and template here, as a structured CSV "
                  "(LineId, Content, EventId, EventTemplate) for `venus eval templates`")] = None) -> None:
    """Write realistic OpenStack logs (boots across services, outages, tracebacks, API access)."""
    from venus.analysis.template_accuracy import write_labelled
    from venus.demo.generator import DemoCloud

    cloud = DemoCloud(seed=seed, computes=computes, labels=labelled is not None)
    stats = cloud.write_tree(directory, lines)
    out.print(f"wrote {stats['lines']:,} lines, {stats['bytes']:,} bytes in {stats['files']} files under {directory}")
    if labelled is not None and cloud.labels is not None:
        count = write_labelled(labelled, cloud.labels)
        out.print(f"wrote {len(cloud.labels):,} labelled messages of {count} templates to {labelled}")


@app.command()
def agent(config: Annotated[Path | None, typer.Option(
              "--config", "-c", help="agent.conf to read (default: $VENUS_AGENT_CONFIG, else /etc/venus/agent.conf)")] = None,
          once: Annotated[bool, typer.Option("--once", help="send what the files hold now, then exit")] = False,
          timeout: Annotated[float, typer.Option(help="with --once: seconds to keep trying", min=0)] = 300,
          sample_config: Annotated[bool, typer.Option("--sample-config",
                                                      help="print an agent.conf with every option")] = False,
          ) -> None:
    """Follow log files and send their lines to a Venus server, exactly once (docs/collecting.md)."""
    import signal

    from venus.agent.config import load_agent_settings, render_agent_ini
    from venus.agent.shipper import Agent
    from venus.client import HttpBackend

    if sample_config:
        sys.stdout.write(render_agent_ini())
        return
    try:
        settings = load_agent_settings(config)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        backend = HttpBackend(settings.agent.url, settings.agent.token or None, compress=settings.agent.compress)
        shipper = Agent(settings, backend)
    except VenusError as exc:
        _fail(exc)
    try:
        if once:
            if not shipper.drain(timeout):
                err.print(f"[red]error:[/red] {shipper.unsent():,} bytes could not be sent within {timeout:g} s")
                raise typer.Exit(1)
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        shipper.run(stop, settings.agent.scan_interval)
    finally:
        shipper.close()


@app.command()
def version() -> None:
    """Print the version."""
    out.print(__version__)


def main() -> None:
    app()
