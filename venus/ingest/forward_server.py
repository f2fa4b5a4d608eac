"""The Forward receiver: fluentd, Fluent Bit and fluent-logger connect here (TCP, default port 24224).

Each connection is read in batches: whatever complete messages have arrived are turned into
records (`venus.ingest.forward.forward_table`, in a worker process when large), submitted to the
`RecordWriter`, and only once they are committed are their `chunk` acknowledgements sent
(DESIGN decision 3: an ack means stored). The next read waits for that commit, so a store that
is behind slows the reads and the sender's socket fills: the sender is pushed back, nothing
piles up here. A UDP socket on the same port answers heartbeats.

With `[receivers] forward_shared_key`, a connection starts with fluentd's handshake (HELO, PING,
PONG) and sends nothing before it succeeds. What cannot be read as the protocol ends the
connection with a warning in the server log: a msgpack stream cannot be picked up mid-way.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any

import msgpack
import orjson

from venus.errors import VenusError
from venus.ingest.connections import Connections
from venus.ingest.forward import ForwardError, ForwardMessage, forward_table, read_message, unpacker
from venus.ingest.workers import ParsePool
from venus.ingest.writer import RecordWriter
from venus.parse.timestamps import now_us

log = logging.getLogger(__name__)

READ_BYTES = 4 << 20  # most bytes one read takes: what has arrived since the last commit
STREAM_BUFFER = 1 << 20  # the transport pauses (TCP pushes back) past twice this
STOP_SECONDS = 30  # how long running connections may take to commit their last batch at shutdown


class ForwardServer:
    """Forward on host:port (TCP, and UDP for heartbeats) until `stop()`."""

    name = "Forward receiver"

    def __init__(self, host: str, port: int, writer: RecordWriter, pool: ParsePool, timezone: str,
                 max_message_bytes: int, shared_key: str = "") -> None:
        self.host, self.port = host, port
        self.writer, self.pool = writer, pool
        self.timezone = timezone
        self.max_message_bytes = max_message_bytes
        self.shared_key = shared_key.encode()
        self.hostname = socket.gethostname()
        self._server: asyncio.Server | None = None
        self._heartbeats: asyncio.DatagramTransport | None = None
        self._connections = Connections()

    async def start(self) -> None:
        try:
            self._server = await asyncio.start_server(self._connection, self.host, self.port, limit=STREAM_BUFFER)
            loop = asyncio.get_running_loop()
            self._heartbeats, _ = await loop.create_datagram_endpoint(
                _Heartbeat, local_addr=(self.host, self.bound_port))
        except OSError as exc:
            await self.stop()
            raise OSError(f"could not listen on {self.host}:{self.port} for the {self.name}: {exc}") from None
        log.info("%s on %s:%d", self.name, self.host, self.bound_port)

    @property
    def bound_port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._heartbeats is not None:
            self._heartbeats.close()
        if self._server is not None:
            self._server.close()
        await self._connections.close(STOP_SECONDS)

    async def _connection(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        with self._connections.opened():
            await self._serve(reader, stream)

    async def _serve(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        peer = _peer(stream)
        try:
            if not self.shared_key or await self._handshake(reader, stream, peer):
                await self._receive(reader, stream, peer)
        except ForwardError as exc:
            log.warning("forward from %s: %s; connection closed", peer, exc.message)
        except VenusError as exc:
            log.warning("forward from %s: %s; connection closed, the sender will resend", peer, exc.message)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            stream.close()

    async def _receive(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter, peer: str) -> None:
        data = await reader.read(READ_BYTES)
        decoder: _Decoder = _JsonStream(self.max_message_bytes) if data[:1] in (b"[", b"{") else \
            _MsgpackStream(self.max_message_bytes)
        while data:
            messages: list[ForwardMessage] = []
            with self._connections.busy():
                try:
                    messages.extend(m for m in decoder.feed(data) if m is not None)
                finally:
                    # What came before a bad message is stored (and acknowledged) all the same.
                    if messages:
                        await self._commit(messages, peer)
                        await self._acknowledge(messages, decoder, stream)
            data = await reader.read(READ_BYTES)
        if decoder.unread:
            log.warning("forward from %s: the connection ended in the middle of a message (%d bytes unread)",
                        peer, decoder.unread)

    async def _acknowledge(self, messages: list[ForwardMessage], decoder: _Decoder,
                           stream: asyncio.StreamWriter) -> None:
        acks = [m.chunk for m in messages if m.chunk]
        if acks:
            stream.write(b"".join(decoder.encode({"ack": chunk}) for chunk in acks))
            await stream.drain()

    async def _commit(self, messages: list[ForwardMessage], peer: str) -> None:
        size = sum(m.size for m in messages)
        await self.writer.wait_for_room(size)
        batch = await self.pool.run_async(size, forward_table, messages, self.timezone, now_us(),
                                          self.max_message_bytes)
        for reason in batch.skipped:
            log.warning("forward from %s: %s; those events are not stored", peer, reason)
        await self.writer.commit(batch.table)

    async def _handshake(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter, peer: str) -> bool:
        """fluentd's shared-key handshake (in_forward's check_ping/generate_pong)."""
        nonce = os.urandom(16)
        stream.write(msgpack.packb(["HELO", {"nonce": nonce, "auth": b"", "keepalive": True}]))
        await stream.drain()
        decoder = _MsgpackStream(64 << 10, raw=True)
        ping = None
        while ping is None:
            data = await reader.read(64 << 10)
            if not data:
                return False
            for ping in decoder.objects(data):
                break
        reason = _check_ping(ping, nonce, self.shared_key)
        if reason:
            log.warning("forward from %s: handshake refused: %s", peer, reason)
            stream.write(msgpack.packb(["PONG", False, reason, "", ""]))
            await stream.drain()
            return False
        salt, hostname = _binary(ping[2]), self.hostname.encode()
        digest = hashlib.sha512(salt + hostname + nonce + self.shared_key).hexdigest()
        stream.write(msgpack.packb(["PONG", True, "", self.hostname, digest]))
        await stream.drain()
        return True


def _check_ping(ping: Any, nonce: bytes, shared_key: bytes) -> str:
    """Why a PING is refused, or "" when it is good."""
    if not isinstance(ping, list | tuple) or len(ping) != 6 or _binary(ping[0]) != b"PING":
        return "expected [\"PING\", hostname, shared_key_salt, digest, username, password_digest]"
    hostname, salt, digest = (_binary(v) for v in ping[1:4])
    expected = hashlib.sha512(salt + hostname + nonce + shared_key).hexdigest().encode()
    if not hmac.compare_digest(digest, expected):
        return "shared key mismatch"
    return ""


def _binary(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogateescape")


def _peer(stream: asyncio.StreamWriter) -> str:
    address = stream.get_extra_info("peername")
    return f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address)


class _Decoder:
    unread = 0

    def feed(self, data: bytes) -> Iterator[ForwardMessage | None]:
        raise NotImplementedError

    def encode(self, answer: dict) -> bytes:
        raise NotImplementedError


class _MsgpackStream(_Decoder):
    def __init__(self, max_message_bytes: int, raw: bool = False) -> None:
        self.max_message_bytes = max_message_bytes
        self._unpacker = unpacker(max_message_bytes) if not raw else msgpack.Unpacker(
            raw=True, max_buffer_size=max_message_bytes, strict_map_key=False)
        self._consumed = 0
        self._fed = 0

    def objects(self, data: bytes) -> Iterator[Any]:
        try:
            self._unpacker.feed(data)
        except msgpack.BufferFull:
            raise ForwardError(f"a message is over {self.max_message_bytes:,} bytes ([api] max_body_bytes)") from None
        self._fed += len(data)
        try:
            yield from self._unpacker
        except (msgpack.UnpackException, ValueError) as exc:
            raise ForwardError(f"not msgpack: {exc}") from None
        finally:
            self.unread = self._fed - self._unpacker.tell()

    def feed(self, data: bytes) -> Iterator[ForwardMessage | None]:
        for value in self.objects(data):
            at = self._unpacker.tell()
            yield read_message(value, at - self._consumed)
            self._consumed = at

    def encode(self, answer: dict) -> bytes:
        return msgpack.packb(answer)


class _JsonStream(_Decoder):
    """fluentd's in_forward takes JSON arrays too (a connection that starts with `[` or `{`)."""

    def __init__(self, max_message_bytes: int) -> None:
        self.max_message_bytes = max_message_bytes
        self._text = ""
        self._decoder = json.JSONDecoder()

    def feed(self, data: bytes) -> Iterator[ForwardMessage | None]:
        self._text += data.decode("utf-8", "surrogateescape")
        while True:
            text = self._text.lstrip()
            if not text:
                break
            try:
                value, end = self._decoder.raw_decode(text)
            except json.JSONDecodeError as exc:
                # Messages have no frame: an error at the end of what came may be a message cut by
                # the read, and the next read completes it.
                cut = exc.pos >= len(text) - 5 or exc.msg.startswith("Unterminated string")
                if not cut:
                    raise ForwardError(f"not JSON: {exc}") from None
                if len(text) > self.max_message_bytes:
                    raise ForwardError(f"a message is over {self.max_message_bytes:,} bytes "
                                       "([api] max_body_bytes)") from None
                break
            self._text = text[end:]
            yield read_message(value, end)
        self.unread = len(self._text.strip())

    def encode(self, answer: dict) -> bytes:
        return orjson.dumps(answer)


class _Heartbeat(asyncio.DatagramProtocol):
    """fluentd's UDP heartbeat: any datagram is answered with one NUL byte."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        self.transport.sendto(b"\0", addr)  # type: ignore[attr-defined]
