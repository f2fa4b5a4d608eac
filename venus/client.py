"""How the CLI reaches the store: through a running server (HTTP), or directly on the data
directory when no server holds it. Both offer the same calls, so every command works either way."""

from __future__ import annotations

import gzip
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import httpx
import orjson

from venus.analysis.chain import call_chain
from venus.config import Settings
from venus.errors import StoreUnavailable, VenusError
from venus.ingest.importer import Importer
from venus.ingest.templating import Templater
from venus.ingest.workers import ParsePool
from venus.meta.store import MetadataStore, open_metadata
from venus.osc import SERVICE_TYPE
from venus.parse.paths import SourceInfo
from venus.query import search as S
from venus.store import open_store
from venus.store.clickhouse import ClickHouseStore

DEFAULT_URL = "http://127.0.0.1:10010"


class Backend(Protocol):
    where: str

    def search(self, q: str, since: str | None, until: str | None, limit: int, cursor: str | None,
               total: bool) -> dict: ...
    def count(self, q: str, since: str | None, until: str | None) -> int: ...
    def context(self, line_id: str, before: int, after: int) -> dict: ...
    def chain(self, ident: str) -> dict: ...
    def checkpoint(self, source: SourceInfo, fp: str) -> int: ...
    def import_chunk(self, source: SourceInfo, fp: str, offset: int, data: bytes, final: bool,
                     mtime: float | None) -> dict: ...
    def report(self, params: dict[str, str | None]) -> bytes: ...
    def close(self) -> None: ...


class RemoteError(VenusError):
    def __init__(self, status: int, body: dict) -> None:
        super().__init__(body.get("error") or f"HTTP {status}", body.get("field"))
        self.status = status
        self.body = body


def _json_or_text(resp: httpx.Response) -> dict:
    try:
        return resp.json()
    except ValueError:
        return {"error": resp.text[:500]}


class HttpBackend:
    def __init__(self, url: str, token: str | None = None, compress: bool = False) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.where = url
        self.compress = compress  # gzip import chunks
        self.http = httpx.Client(base_url=url, headers=headers, timeout=httpx.Timeout(300, connect=5))

    def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """One API request's answer; an error answer raises RemoteError with its message and field."""
        try:
            resp = self.http.request(method, path, **kw)
        except httpx.TransportError as exc:
            raise StoreUnavailable(f"cannot reach the Venus server at {self.where}: {exc}") from exc
        if resp.status_code >= 400:
            raise RemoteError(resp.status_code, _json_or_text(resp))
        return resp

    def call(self, method: str, path: str, **kw: Any) -> dict:
        """One API request's JSON answer."""
        return _json_or_text(self._send(method, path, **kw))

    def search(self, q, since, until, limit, cursor, total):  # type: ignore[no-untyped-def]
        params = {"q": q, "limit": limit, "total": str(total).lower()}
        params.update({k: v for k, v in (("since", since), ("until", until), ("cursor", cursor)) if v})
        return self.call("GET", "/api/v1/search", params=params)

    def count(self, q, since, until):  # type: ignore[no-untyped-def]
        params = {"q": q, **{k: v for k, v in (("since", since), ("until", until)) if v}}
        return int(self.call("GET", "/api/v1/count", params=params)["count"])

    def context(self, line_id, before, after):  # type: ignore[no-untyped-def]
        return self.call("GET", f"/api/v1/context/{line_id}", params={"before": before, "after": after})

    def chain(self, ident: str) -> dict:
        return self.call("GET", f"/api/v1/chain/{quote(ident, safe='')}")

    def checkpoint(self, source: SourceInfo, fp: str) -> int:
        return int(self.call("GET", "/api/v1/import/checkpoint",
                              params={"host": source.host, "path": source.path, "fingerprint": fp})["offset"])

    def import_chunk(self, source, fp, offset, data, final, mtime):  # type: ignore[no-untyped-def]
        params = {"host": source.host, "path": source.path, "fingerprint": fp, "offset": offset,
                  "final": str(final).lower()}
        if mtime:
            params["mtime"] = mtime
        headers = {"Content-Type": "application/octet-stream"}
        if self.compress:
            data = gzip.compress(data, compresslevel=1)  # logs shrink several times even at level 1
            headers["Content-Encoding"] = "gzip"
        return self.call("POST", "/api/v1/import", params=params, content=data, headers=headers)

    def tail(self, q: str, lines: int) -> Iterator[dict]:
        """The newest `lines` matches, then each new one as the server stores it (until closed)."""
        with self.http.stream("GET", "/api/v1/tail", params={"q": q, "lines": lines},
                              timeout=httpx.Timeout(None, connect=5)) as resp:
            if resp.status_code >= 400:
                resp.read()
                raise RemoteError(resp.status_code, _json_or_text(resp))
            event = ""
            for line in resp.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = orjson.loads(line[6:])
                    if event == "error":
                        raise VenusError(f"the tail stopped: {data.get('error')}")
                    yield data
                elif not line:
                    event = ""

    def report(self, params: dict[str, str | None]) -> bytes:
        """The report's file (GET /api/v1/report)."""
        return self._send("GET", "/api/v1/report", params={k: v for k, v in params.items() if v is not None},
                          timeout=600).content

    def close(self) -> None:
        self.http.close()


class LocalBackend:
    """The store in this process: the data directory opened by the CLI (refused, with the holder's
    name, when a server has it), or the server's own store and importer (the demo loader).
    `close()` closes the store and the parse pool it started."""

    def __init__(self, store: ClickHouseStore, settings: Settings, importer: Importer | None = None) -> None:
        self.store = store
        self.settings = settings
        self._own_pool = None if importer else ParsePool(settings.import_.parse_processes)
        self.importer = importer or Importer(store, self._own_pool, settings.import_.timezone,
                                             settings.import_.max_line_bytes)
        self._own_meta: MetadataStore | None = None
        self._meta_lock = threading.Lock()  # import streams run in threads; the first opens it
        self.where = str(settings.data_path)

    def _mine_templates(self) -> None:
        """Lines imported directly get their templates as through a server: the metadata store is
        opened (once, by the first import; a search has no need of it) for the miner's catalogue."""
        if self.importer.templater is not None or self._own_pool is None or not self.settings.analysis.mine_templates:
            return
        with self._meta_lock:
            if self._own_meta is None:
                self._own_meta = open_metadata(self.settings)
                self.importer.templater = Templater(self._own_meta)

    def search(self, q, since, until, limit, cursor, total):  # type: ignore[no-untyped-def]
        page = S.search(self.store, S.Filter.from_text(q, since, until), limit, cursor, with_total=total)
        return {"total": page.total, "count": len(page.hits), "next_cursor": page.next_cursor, "hits": page.hits}

    def count(self, q, since, until):  # type: ignore[no-untyped-def]
        return S.count(self.store, S.Filter.from_text(q, since, until))

    def context(self, line_id, before, after):  # type: ignore[no-untyped-def]
        return S.context(self.store, line_id, before, after)

    def chain(self, ident: str) -> dict:
        return call_chain(self.store, ident)

    def checkpoint(self, source: SourceInfo, fp: str) -> int:
        return self.importer.checkpoint(source.host, source.path, fp)

    def import_chunk(self, source, fp, offset, data, final, mtime):  # type: ignore[no-untyped-def]
        self._mine_templates()
        return self.importer.import_chunk(source, fp, offset, data, final, mtime).as_dict()

    def report(self, params: dict[str, str | None]) -> bytes:
        """The report, made here from the data directory and the metadata store."""
        from venus.analysis.typical import load_catalogue
        from venus.reports.make import ReportRequest, make_report
        from venus.tasks.server_tasks import external_url

        asked = ReportRequest.parse(params.get("since"), params.get("until"), params.get("q"), params.get("language"),
                                    params.get("format"))
        extra = self.settings.analysis.typical_errors_file
        meta = open_metadata(self.settings)
        try:
            return make_report(self.store, meta, load_catalogue(Path(extra) if extra else None), asked,
                               external_url(self.settings))
        finally:
            meta.close()

    def close(self) -> None:
        if self._own_pool is not None:
            self._own_pool.close()
        if self._own_meta is not None:
            self._own_meta.close()
        self.store.close()


def catalog_target() -> tuple[str, str]:
    """Venus's endpoint in the service catalog (type log-management) and a Keystone token, logged in
    from the OS_* variables or clouds.yaml as the `openstack` command logs in (openstacksdk's
    loader, from the `openstack` extra)."""
    try:
        import openstack.config
        from keystoneauth1 import exceptions as ks_exceptions
    except ImportError as exc:
        raise StoreUnavailable("OS_CLOUD or OS_AUTH_URL is set, and finding Venus through the catalog needs "
                               "openstacksdk: pip install 'venus[openstack]' (or give --url)") from exc
    try:
        cloud = openstack.config.OpenStackConfig().get_one(cloud=os.environ.get("OS_CLOUD"))
        session = cloud.get_session()
        endpoint = session.get_endpoint(service_type=SERVICE_TYPE, interface=cloud.get_interface(),
                                        region_name=cloud.get_region_name())
        token = session.get_token()
    except (ks_exceptions.ClientException, openstack.exceptions.SDKException) as exc:
        raise StoreUnavailable(f"cannot find Venus through Keystone's catalog: {exc}") from exc
    if not endpoint:
        raise StoreUnavailable(f"Keystone's catalog has no {SERVICE_TYPE} endpoint")
    return endpoint.rstrip("/"), token


def connect(settings: Settings, url: str | None, role: str) -> Backend:
    """A server named by --url or VENUS_URL must answer; otherwise the default address is tried
    and, when nothing listens there, the data directory is opened directly."""
    try:
        return connect_server(settings, url)
    except StoreUnavailable:
        if url or os.environ.get("VENUS_URL") or os.environ.get("OS_CLOUD") or os.environ.get("OS_AUTH_URL"):
            raise
    return LocalBackend(open_store(settings, role=role), settings)


def connect_server(settings: Settings, url: str | None) -> HttpBackend:
    """The server named by --url, else VENUS_URL, else the catalog's log-management endpoint when
    OpenStack credentials are in the environment (OS_CLOUD or OS_AUTH_URL), else the configured
    address; it must answer."""
    target = url or os.environ.get("VENUS_URL")
    token = os.environ.get("VENUS_TOKEN") or settings.api.auth_token or None
    if target is None and (os.environ.get("OS_CLOUD") or os.environ.get("OS_AUTH_URL")):
        target, token = catalog_target()
    target = target or f"http://{settings.api.host}:{settings.api.port}"
    try:
        httpx.get(f"{target}/healthz", timeout=2).raise_for_status()
    except httpx.HTTPError as exc:
        raise StoreUnavailable(f"no Venus server answers at {target}: {exc}") from exc
    return HttpBackend(target, token)
