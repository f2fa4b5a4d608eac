"""The demo cloud's logs, and `serve --demo` loading them into an empty store only."""

import asyncio

from tests.conftest import settings_for
from venus.api.app import create_app
from venus.demo.generator import DemoCloud
from venus.demo.load import load_demo_when_empty
from venus.ingest.files import expand_paths
from venus.parse.lines import parse_text
from venus.parse.paths import describe_path


def test_generated_lines_all_parse(tmp_path):
    stats = DemoCloud(seed=3, computes=2).write_tree(tmp_path, 5000)
    files, _ = expand_paths([str(tmp_path)])
    raw = 0
    for f in files:
        text = f.path.read_text()
        _, parsed = parse_text(text, describe_path(str(f.path)))
        raw += parsed.raw
        assert parsed.lines == text.count("\n")
    assert stats["lines"] >= 5000 and raw == 0
    assert {f.path.relative_to(tmp_path).parts[0] for f in files} == {"ctl1", "ctl2", "ctl3", "cmp1", "cmp2"}


def start_with_demo(settings) -> tuple[int, bool]:
    """Run the server's lifespan with --demo; the rows stored, and whether a load ran."""
    app = create_app(settings)
    load_demo_when_empty(app, lines=3000)

    async def run() -> tuple[int, bool]:
        async with app.router.lifespan_context(app):
            loader = getattr(app.state, "demo_loader", None)
            if loader is not None:
                await asyncio.to_thread(loader.join, 120)
            return app.state.store.disk_usage()["rows"], loader is not None

    return asyncio.run(run())


def test_demo_loads_into_an_empty_store_once(tmp_path):
    settings = settings_for(tmp_path / "data")
    rows, loaded = start_with_demo(settings)
    assert loaded and 2500 < rows <= 3100
    assert start_with_demo(settings) == (rows, False)
