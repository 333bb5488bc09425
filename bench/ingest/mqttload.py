"""A load generator for MQTT v5 QoS 1: packets encoded before the clock starts, sent raw.

paho-mqtt costs about 300 µs of CPU a message on this machine (packet building, its network
thread, the acknowledgement bookkeeping): publishing 6,000 packs a second would take more CPU
than the two cores have, and the benchmark would measure its own publisher. Devices publish
from their own hardware; here the load generator shares the machine with what it measures, so
it must cost next to nothing. Like wrk for HTTP: every PUBLISH packet is encoded in advance,
then written to one socket in large writes; a reader thread counts the broker's PUBACKs.

Only what the benchmark needs: CONNECT (clean start), PUBLISH QoS 1 with a user property,
PUBACK counting, DISCONNECT. Packet identifiers cycle over 1..65535, far more than ever in
flight (the broker acknowledges QoS 1 at once).
"""

from __future__ import annotations

import socket
import struct
import threading
import time


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value % 128, value // 128
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _string(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("!H", len(data)) + data


def _packet(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + _varint(len(body)) + body


def publish_packet(topic: str, payload: bytes, packet_id: int, token: str) -> bytes:
    """A PUBLISH, QoS 1, with the device token as the user property `token`."""
    properties = b"\x26" + _string("token") + _string(token)  # 0x26: user property
    body = _string(topic) + struct.pack("!H", packet_id) + _varint(len(properties)) + properties
    return _packet(0x32, body + payload)  # 0x30 PUBLISH | QoS 1


class RawPublisher:
    """One MQTT v5 connection that writes pre-encoded PUBLISH packets and counts PUBACKs."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883, client_id: str = "") -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connect = (
            _string("MQTT")
            + bytes([5, 0x02])  # protocol level 5, clean start
            + struct.pack("!H", 600)  # keep alive (s): longer than any phase
            + _varint(0)  # no properties
            + _string(client_id)
        )
        self.sock.sendall(_packet(0x10, connect))
        self._buffer = b""
        kind, body = self._read_packet()
        if kind != 0x20 or body[1] != 0:
            raise ConnectionError(f"the broker refused the connection (CONNACK {body!r})")
        self.acked = 0
        self.sent = 0
        self._next_id = 0
        self._reader = threading.Thread(target=self._read_acks, daemon=True)
        self._reader.start()

    def next_id(self) -> int:
        self._next_id = self._next_id % 65535 + 1
        return self._next_id

    def _read_packet(self) -> tuple[int, bytes]:
        while True:
            parsed = self._parse(self._buffer)
            if parsed is not None:
                kind, body, rest = parsed
                self._buffer = rest
                return kind, body
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the broker closed the connection")
            self._buffer += chunk

    def _parse(self, data: bytes):
        parsed = self._header(data, 0)
        if parsed is None:
            return None
        kind, body_start, end = parsed
        return kind, data[body_start:end], data[end:]

    def _read_acks(self) -> None:
        """Count PUBACKs; walks each chunk by index (acks are 4 bytes: no copy per packet)."""
        data = self._buffer
        try:
            while True:
                index = 0
                while True:
                    parsed = self._header(data, index)
                    if parsed is None:
                        break
                    kind, _body_start, end = parsed
                    if kind == 0x40:  # PUBACK
                        self.acked += 1
                    index = end
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                data = data[index:] + chunk
        except OSError:
            return  # closed at the end of the run

    @staticmethod
    def _header(data: bytes, start: int):
        """(type, body offset, end offset) of the packet at `start`, or None if incomplete."""
        length, multiplier, index = 0, 1, start + 1
        while True:
            if index >= len(data):
                return None
            byte = data[index]
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            index += 1
            if not byte & 0x80:
                break
        end = index + length
        return (data[start] & 0xF0, index, end) if end <= len(data) else None

    def send(self, packets: list[bytes]) -> None:
        """Write the packets in one go (one system call for the lot)."""
        self.sock.sendall(b"".join(packets))
        self.sent += len(packets)

    def wait_acked(self, timeout: float = 60) -> bool:
        deadline = time.perf_counter() + timeout
        while self.acked < self.sent and time.perf_counter() < deadline:
            time.sleep(0.001)
        return self.acked >= self.sent

    def close(self) -> None:
        try:
            self.sock.sendall(_packet(0xE0, b""))  # DISCONNECT, normal
        finally:
            self.sock.close()
