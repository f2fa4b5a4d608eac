"""The log store: one interface (`Store`), the embedded chdb engine or a ClickHouse server behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from venus.config import Settings
    from venus.store.clickhouse import ClickHouseStore


_FROM_SETTINGS = -1


def open_store(settings: Settings, role: str, url: str | None = None,
               retention_days: int | None = _FROM_SETTINGS) -> ClickHouseStore:
    """The store the settings name: the embedded chdb engine in data_dir, or a ClickHouse server.

    `role` and `url` are recorded in the data directory's lock, so that a second process that
    tries to open it is told who holds it. The retention is [storage] retention_days unless given;
    None leaves it to a later `set_retention` (the server takes it from the metadata store)."""
    from venus.store.clickhouse import ClickHouseStore

    st = settings.storage
    retention = st.retention_days if retention_days == _FROM_SETTINGS else retention_days
    if st.backend == "clickhouse":
        if not st.clickhouse_url:
            from venus.errors import BadRequest
            raise BadRequest("[storage] backend = clickhouse needs [storage] clickhouse_url",
                             field="[storage] clickhouse_url")
        return ClickHouseStore(dsn=st.clickhouse_url, database=st.database, retention_days=retention,
                               query_timeout=st.query_timeout)
    # Absolute: "chdb://rel/dir" would read "rel" as a host and "dir" as the database.
    data_dir = settings.data_path.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return ClickHouseStore(dsn=f"chdb://{data_dir / 'chdb'}", database=st.database,
                           retention_days=retention, query_timeout=st.query_timeout,
                           data_dir=data_dir, role=role, url=url)
