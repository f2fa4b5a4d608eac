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
import codecs
import hashlib
import hmac
import json
import logging
import os
import re
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
_SPACE = re.compile(r"\s*")
_PING_BYTES = 64 << 10  # a PING is a few hundred bytes
_NOTHING = object()
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
            self._server = await asyncio.start_server(self._connections.track(self._serve), self.host, self.port,
                                                      limit=STREAM_BUFFER)
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

    async def _serve(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter) -> None:
        peer = _peer(stream)
        try:
            first = await self._handshake(reader, stream, peer) if self.shared_key else b""
            if first is not None:
                await self._receive(reader, stream, peer, first)
        except ForwardError as exc:
            log.warning("forward from %s: %s; connection closed", peer, exc.message)
        except VenusError as exc:
            log.warning("forward from %s: %s; connection closed, the sender will resend", peer, exc.message)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            stream.close()

    async def _receive(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter, peer: str,
                       first: bytes) -> None:
        data = first or await reader.read(READ_BYTES)
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

    async def _handshake(self, reader: asyncio.StreamReader, stream: asyncio.StreamWriter,
                         peer: str) -> bytes | None:
        """fluentd's shared-key handshake (in_forward's check_ping/generate_pong): what the client
        sent after its PING (the start of its events), or None when it is refused."""
        nonce = os.urandom(16)
        stream.write(msgpack.packb(["HELO", {"nonce": nonce, "auth": b"", "keepalive": True}]))
        await stream.drain()
        pings, received, ping = unpacker(_PING_BYTES), b"", _NOTHING
        while ping is _NOTHING:
            data = await reader.read(_PING_BYTES)
            if not data:
                return None
            received += data
            try:
                pings.feed(data)
                ping = next(pings, _NOTHING)
            except (msgpack.BufferFull, msgpack.UnpackException, ValueError) as exc:
                raise ForwardError(f"the handshake is not msgpack: {exc}") from None
        reason = _check_ping(ping, nonce, self.shared_key)
        if reason:
            log.warning("forward from %s: handshake refused: %s", peer, reason)
            stream.write(msgpack.packb(["PONG", False, reason, "", ""]))
            await stream.drain()
            return None
        salt, hostname = _binary(ping[2]), self.hostname.encode()
        digest = hashlib.sha512(salt + hostname + nonce + self.shared_key).hexdigest()
        stream.write(msgpack.packb(["PONG", True, "", self.hostname, digest]))
        await stream.drain()
        return received[pings.tell():]


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
    def __init__(self, max_message_bytes: int) -> None:
        self.max_message_bytes = max_message_bytes
        self._unpacker = unpacker(max_message_bytes)
        self._consumed = 0  # stream offset of the end of the last message

    def feed(self, data: bytes) -> Iterator[ForwardMessage | None]:
        try:
            self._unpacker.feed(data)
        except msgpack.BufferFull:
            raise ForwardError(f"a message is over {self.max_message_bytes:,} bytes ([api] max_body_bytes)") from None
        fed = self._consumed + self.unread + len(data)
        try:
            for value in self._unpacker:
                at = self._unpacker.tell()
                message = read_message(value, at - self._consumed)
                self._consumed = at
                yield message
        except (msgpack.UnpackException, ValueError) as exc:
            raise ForwardError(f"not msgpack: {exc}") from None
        finally:
            self.unread = fed - self._consumed

    def encode(self, answer: dict) -> bytes:
        return msgpack.packb(answer)


class _JsonStream(_Decoder):
    """fluentd's in_forward takes JSON arrays too (a connection that starts with `[` or `{`)."""

    def __init__(self, max_message_bytes: int) -> None:
        self.max_message_bytes = max_message_bytes
        self._text = ""  # what is left of the last read: the start of a message
        # A read may end inside a character: the decoder keeps its first bytes for the next.
        self._utf8 = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self._decoder = json.JSONDecoder()

    def feed(self, data: bytes) -> Iterator[ForwardMessage | None]:
        text = self._text + self._utf8.decode(data)
        at = 0
        try:
            while (at := _SPACE.match(text, at).end()) < len(text):
                try:
                    value, end = self._decoder.raw_decode(text, at)
                except json.JSONDecodeError as exc:
                    # Messages have no frame: an error at the end of what came may be a message cut
                    # by the read, and the next read completes it.
                    cut = exc.pos >= len(text) - 5 or exc.msg.startswith("Unterminated string")
                    if not cut:
                        raise ForwardError(f"not JSON: {exc}") from None
                    if len(text) - at > self.max_message_bytes:
                        raise ForwardError(f"a message is over {self.max_message_bytes:,} bytes "
                                           "([api] max_body_bytes)") from None
                    break
                yield read_message(value, end - at)
                at = end
        finally:
            self._text = text[at:]  # sliced once a read, not once a message
            self.unread = len(self._text.strip())

    def encode(self, answer: dict) -> bytes:
        return orjson.dumps(answer)


class _Heartbeat(asyncio.DatagramProtocol):
    """fluentd's UDP heartbeat: any datagram is answered with one NUL byte."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        self.transport.sendto(b"\0", addr)  # type: ignore[attr-defined]
