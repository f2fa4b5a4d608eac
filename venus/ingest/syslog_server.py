"""The syslog receiver: UDP and TCP on one port (kolla's HAProxy and rsyslog send to 5140).

TCP connections are read in batches, as Forward's are: the complete messages that have arrived
are parsed, committed, and only then is the socket read again, so a store that is behind slows
the sender (the kernel's buffers fill; rsyslog queues). UDP cannot push back: datagrams are
gathered for a moment and committed together; while the writer is full they wait, up to
`UDP_BACKLOG` messages, and past that they are dropped and counted in the log (the kernel drops
them too when nobody reads).

Syslog has no authentication, so senders are limited by address: `[receivers]
syslog_allowed_networks` (loopback by default). Others are refused and logged once per address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from venus.config import split_list
from venus.errors import VenusError
from venus.ingest.connections import Connections
from venus.ingest.syslog import split_frames, syslog_table
from venus.ingest.workers import ParsePool
from venus.ingest.writer import RecordWriter
from venus.parse.timestamps import now_us

log = logging.getLogger(__name__)

READ_BYTES = 4 << 20
STREAM_BUFFER = 1 << 20
UDP_FLUSH_SECONDS = 0.2  # how long a datagram may wait for others to be committed with
UDP_BATCH = 20_000  # messages committed at once at most
UDP_BACKLOG = 200_000  # messages that may wait while the writer is full; more are dropped
STOP_SECONDS = 30
MAX_KNOWN_SENDERS = 65_536  # addresses whose verdict is remembered

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str, option: str = "[receivers] syslog_allowed_networks") -> list[Network]:
    """'10.0.0.0/8, 192.168.1.5' → networks; a bad one is an error naming the option."""
    networks = []
    for item in split_list(text):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise VenusError(f"{option}: {item!r} is not an address or a network such as 10.0.0.0/8",
                             field="syslog_allowed_networks") from None
    return networks


class SyslogServer:
    """Syslog on host:port, UDP and TCP, until `stop()`."""

    name = "syslog receiver"

    def __init__(self, host: str, port: int, writer: RecordWriter, pool: ParsePool, timezone: str,
                 max_message_bytes: int, allowed: list[Network]) -> None:
        self.host, self.port = host, port
        self.writer, self.pool = writer, pool
        self.timezone = timezone
        self.max_message_bytes = max_message_bytes
        self.allowed = allowed
        self._verdicts: dict[str, bool] = {}
        self._server: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._datagrams: list[bytes] = []
        self._senders: list[str] = []
        self._dropped = 0
        self._flusher: asyncio.Task | None = None
        self._connections = Connections()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self._server = await asyncio.start_server(self._connections.track(self._serve), self.host, self.port,
                                                      limit=STREAM_BUFFER)
            port = self._server.sockets[0].getsockname()[1]
            self._udp, _ = await loop.create_datagram_endpoint(lambda: _Datagrams(self), local_addr=(self.host, port))
        except OSError as exc:
            await self.stop()
            raise OSError(f"could not listen on {self.host}:{self.port} for the {self.name}: {exc}") from None
        self._flusher = asyncio.create_task(self._flush_datagrams(), name="syslog UDP")
        log.info("%s on %s:%d (UDP and TCP)", self.name, self.host, self.port)

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._server is not None:
            self._server.close()
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
            await self._commit_datagrams()  # what arrived before the socket closed
        await self._connections.close(STOP_SECONDS)

    def allows(self, address: str) -> bool:
        """Whether `address` may send; known once per address (each datagram asks)."""
        verdict = self._verdicts.get(address)
        if verdict is None:
            if len(self._verdicts) >= MAX_KNOWN_SENDERS:
                self._verdicts.clear()  # spoofed sources must not grow it without end
            verdict = self._verdicts[address] = _in_networks(address, self.allowed)
            if not verdict:
                log.warning("syslog from %s refused: not in [receivers] syslog_allowed_networks", address)
        return verdict

    # --- UDP -------------------------------------------------------------------------------

    def datagram(self, data: bytes, address: str) -> None:
        if not self.allows(address):
            return
        if len(self._datagrams) >= UDP_BACKLOG:
            self._dropped += 1
            return
        self._datagrams.append(data[:self.max_message_bytes])
        self._senders.append(address)

    async def _flush_datagrams(self) -> None:
        while True:
            await asyncio.sleep(UDP_FLUSH_SECONDS)
            try:
                await self._commit_datagrams()
            except VenusError as exc:
                log.warning("syslog over UDP: %d messages could not be stored: %s", len(self._datagrams), exc.message)

    async def _commit_datagrams(self) -> None:
        if self._dropped:
            log.warning("syslog over UDP: %d messages dropped: the store is behind", self._dropped)
            self._dropped = 0
        while self._datagrams:
            messages, senders = self._datagrams[:UDP_BATCH], self._senders[:UDP_BATCH]
            del self._datagrams[:UDP_BATCH], self._senders[:UDP_BATCH]
            await self._commit(messages, senders)

    # --- TCP -------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        address = stream.get_extra_info("peername")
        peer = address[0] if isinstance(address, tuple) else str(address)
        rest = b""
        try:
            if not self.allows(peer):
                return
            while data := await reader.read(READ_BYTES):
                with self._connections.busy():
                    messages, rest = split_frames(rest + data, self.max_message_bytes)
                    if messages:
                        await self._commit(messages, [peer] * len(messages))
            if rest.strip(b"\r\n\0 "):
                # The sender closed after a message without its LF: it is whole all the same.
                with self._connections.busy():
                    await self._commit([rest], [peer])
        except VenusError as exc:
            log.warning("syslog from %s: %s; connection closed", peer, exc.message)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            stream.close()

    async def _commit(self, messages: list[bytes], senders: list[str]) -> None:
        size = sum(map(len, messages))
        await self.writer.wait_for_room(size)
        table = await self.pool.run_async(size, syslog_table, messages, senders, self.timezone, now_us())
        await self.writer.commit(table)


def _in_networks(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, server: SyslogServer) -> None:
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        self.server.datagram(data, addr[0])
