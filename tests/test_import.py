"""Import: exactly once, resumable, and nothing lost on ugly input."""

import gzip
import os

import pytest

from tests.conftest import run_cli
from venus.ingest.chunks import parse_chunk
from venus.ingest.files import LogFile, expand_paths, send_file
from venus.ingest.importer import Importer, OffsetMismatch, fingerprint
from venus.ingest.workers import INLINE_PARSE_BYTES, ParsePool
from venus.parse.lines import split_lines
from venus.parse.paths import describe_path

SRC = describe_path("/var/log/kolla/nova/nova-compute.log", "cmp1")
LINE = "2026-05-06 18:06:57.{ms:03d} 23 INFO nova.compute.manager [-] line {i}\n"


def lines(n, start=0):
    return "".join(LINE.format(ms=i % 1000, i=i) for i in range(start, start + n)).encode()


def import_all(importer, data, chunk=4096, source=SRC):
    fp = fingerprint(data)
    import io
    return send_file(io.BytesIO(data), importer.checkpoint(source.host, source.path, fp), chunk,
                     lambda off, d, final: importer.import_chunk(source, fp, off, d, final).committed_offset)


def rows(store):
    return store.query("SELECT count() FROM logs").rows[0][0]


def test_importing_the_same_file_twice_stores_it_once(importer):
    data = lines(500)
    assert import_all(importer, data) == len(data)
    import_all(importer, data)
    assert rows(importer.store) == 500


def test_a_grown_file_imports_only_its_new_lines(importer, tmp_path):
    data = lines(300)
    import_all(importer, data)
    # Same head, so same fingerprint: the import resumes at the checkpoint.
    import_all(importer, data + lines(200, 300))
    assert rows(importer.store) == 500


def test_a_retried_chunk_is_not_stored_twice(importer):
    data = lines(100)
    fp = fingerprint(data)
    importer.import_chunk(SRC, fp, 0, data, final=True)
    again = importer.import_chunk(SRC, fp, 0, data, final=True)
    assert again.skipped and rows(importer.store) == 100


def test_a_chunk_past_the_checkpoint_is_refused_with_the_offset_to_resume(importer):
    data = lines(10)
    with pytest.raises(OffsetMismatch) as err:
        importer.import_chunk(SRC, fingerprint(data), 100, data, final=True)
    assert err.value.expected == 0 and err.value.status == 409


class Crash(Exception):
    pass


def crash_at(importer, monkeypatch, step):
    """Make the importer's store fail at `step` of a commit: "insert" or "checkpoint" (the save
    after the insert), as a server killed there would."""
    real_insert, real_save = importer.store.insert, importer.store.save_checkpoint

    def insert(table, dedup_token=None):
        if step == "insert":
            raise Crash
        real_insert(table, dedup_token)

    def save(host, path, fp, offset, committing=0):
        if step == "checkpoint" and not committing:
            raise Crash
        real_save(host, path, fp, offset, committing)

    monkeypatch.setattr(importer.store, "insert", insert)
    monkeypatch.setattr(importer.store, "save_checkpoint", save)


@pytest.mark.parametrize("step", ["insert", "checkpoint"])
def test_a_chunk_cut_short_by_a_crash_is_stored_once_whatever_the_sender_sends_next(importer, monkeypatch, step):
    data = lines(300)
    fp = fingerprint(data)
    first = data[:len(lines(100))]
    with monkeypatch.context() as m:
        crash_at(importer, m, step)
        with pytest.raises(Crash):
            importer.import_chunk(SRC, fp, 0, first, final=False)
    restarted = Importer(importer.store, importer.pool)
    assert restarted.import_chunk(SRC, fp, 0, data, final=True).committed_offset == len(data)
    assert rows(importer.store) == 300
    assert importer.store.query("SELECT uniqExact(message) FROM logs").rows[0][0] == 300


def test_after_a_crash_a_shorter_chunk_is_answered_with_send_more(importer, monkeypatch):
    data = lines(100)
    fp = fingerprint(data)
    with monkeypatch.context() as m:
        crash_at(importer, m, "checkpoint")
        with pytest.raises(Crash):
            importer.import_chunk(SRC, fp, 0, data, final=False)
    restarted = Importer(importer.store, importer.pool)
    assert restarted.import_chunk(SRC, fp, 0, data[:1000], final=False).committed_offset == 0
    assert restarted.import_chunk(SRC, fp, 0, data, final=True).committed_offset == len(data)
    assert rows(importer.store) == 100


def test_a_traceback_split_across_chunks_stays_one_record(importer):
    head = "2026-05-06 18:06:57.100 23 ERROR nova.compute.manager"
    text = (f"{head} [-] Failed\n" + "".join(f'{head}   File "x.py", line {i}, in f\n' for i in range(200))
            + "2026-05-06 18:06:58.000 23 INFO nova.compute.manager [-] after\n").encode()
    import_all(importer, text, chunk=1024)
    messages = [r[0] for r in importer.store.query("SELECT message FROM logs ORDER BY ts").rows]
    assert len(messages) == 2
    assert messages[0].count("\n") == 200


def test_invalid_utf8_and_nul_bytes_are_kept_visibly(importer):
    data = b"2026-05-06 18:06:57.100 23 INFO nova.x [-] bad \xff\xfe bytes and a \x00 nul\n"
    import_all(importer, data)
    assert importer.store.query("SELECT message FROM logs").rows == [("bad \\xff\\xfe bytes and a \x00 nul",)]


def test_a_one_megabyte_line_is_stored_whole(importer):
    data = b"2026-05-06 18:06:57.100 23 INFO nova.x [-] " + b"A" * (1 << 20) + b"\n"
    import_all(importer, data, chunk=64 * 1024)
    assert importer.store.query("SELECT length(message), level FROM logs").rows == [((1 << 20), "INFO")]


def test_a_line_over_the_limit_is_cut_into_pieces_not_dropped(store):
    importer = Importer(store, ParsePool(1), max_line_bytes=1024)
    data = b"x" * 2500 + b"\n"
    import_all(importer, data)
    # The pieces are lines of their own (joined into one raw record here); every byte is kept.
    assert store.query("SELECT sum(length(replaceAll(message, '\\n', ''))) FROM logs").rows == [(2500,)]


def test_split_lines_offsets():
    assert split_lines(b"ab\ncd\n\nxyz", 100, 10) == (["ab", "cd", "", "xyz"], [100, 103, 106, 107])
    assert split_lines(b"", 0, 10) == ([], [])


def test_empty_file_imports_nothing_and_does_not_fail(importer):
    assert import_all(importer, b"") == 0
    assert rows(importer.store) == 0


def test_gzip_files_are_read(tmp_path):
    path = tmp_path / "nova-api.log.1.gz"
    path.write_bytes(gzip.compress(lines(3)))
    files, problems = expand_paths([str(tmp_path)])
    assert problems == [] and files[0].compressed
    with files[0].open() as fh:
        assert fh.read() == lines(3)


def test_unreadable_and_missing_paths_are_reported(tmp_path):
    secret = tmp_path / "secret.log"
    secret.write_text("x\n")
    secret.chmod(0)
    files, problems = expand_paths([str(secret), str(tmp_path / "nope.log"), str(tmp_path / "*.none")])
    if os.geteuid() == 0:  # root reads anything: only the missing ones are problems
        assert [f.path for f in files] == [secret]
        assert len(problems) == 2
    else:
        assert files == [] and len(problems) == 3
    assert any("no such file" in p for p in problems)
    assert any("no file matches" in p for p in problems)


def test_cli_import_direct_prints_a_summary_and_is_idempotent(tmp_path):
    tree = tmp_path / "logs" / "cmp7" / "var" / "log" / "kolla" / "nova"
    tree.mkdir(parents=True)
    (tree / "nova-compute.log").write_bytes(lines(1000))
    (tree / "empty.log").write_bytes(b"")
    env = {**os.environ, "VENUS_DATA_DIR": str(tmp_path / "data")}
    first = run_cli("import", "-q", str(tmp_path / "logs"), env=env)
    assert "imported 2 file(s)" in first.stdout and "1,000 lines" in first.stdout
    second = run_cli("import", "-q", str(tmp_path / "logs"), env=env)
    assert "0 lines" in second.stdout
    count = run_cli("search", "--count", "host:cmp7 program:nova-compute", env=env)
    assert count.stdout.strip() == "1000"
    unmined = run_cli("search", "--count", "template_id:0", env=env)
    assert unmined.stdout.strip() == "0"  # mined as through a server


def test_cli_import_of_nothing_readable_fails_clearly(tmp_path):
    result = run_cli("import", str(tmp_path / "missing.log"), env={**os.environ, "VENUS_DATA_DIR": str(tmp_path)},
                     check=False)
    assert result.returncode == 2
    assert "no such file or directory" in result.stderr and "no readable file to import" in result.stderr


def test_logfile_fingerprint_is_of_the_content(tmp_path):
    a, b = tmp_path / "a.log", tmp_path / "b.log.gz"
    a.write_bytes(lines(5))
    b.write_bytes(gzip.compress(lines(5)))
    assert LogFile(a, 1, 0).fingerprint() == LogFile(b, 1, 0).fingerprint()


def test_large_chunks_parsed_in_a_worker_process_store_what_parsing_in_place_stores(importer, store):
    # 8,000 lines with tracebacks: well over INLINE_PARSE_BYTES, so the chunk goes to the pool.
    traceback = "Traceback (most recent call last):\n  oops\n"
    text = "".join(LINE.format(ms=i % 1000, i=i) + (traceback if i % 7 == 0 else "") for i in range(8000)).encode()
    assert len(text) > INLINE_PARSE_BYTES
    fp = fingerprint(text)
    result = importer.import_chunk(SRC, fp, 0, text, final=True)
    assert importer.pool.started
    in_place = parse_chunk(SRC, text, 0, True, "UTC", None, 0, 4 << 20)
    assert result.committed_offset == len(text) and result.stats == in_place.stats
    stored = store.query("SELECT offset, level, message FROM logs ORDER BY offset").rows
    expected = in_place.table.select(["offset", "level", "message"]).to_pylist()
    assert [tuple(r.values()) for r in expected] == stored
    assert len(stored) == 8000
