"""A small SMSC simulator speaking SMPP 3.4 over TCP on 127.0.0.1.

It accepts bind_transceiver (checking system_id and password: ESME_RINVPASWD
otherwise), answers enquire_link and unbind, takes submit_sm (recording each
part, joining concatenated ones by their UDH) with a submit_sm_resp carrying a
message id, and sends deliver_sm to the bound ESME on request (a customer's
message, as a UDH-concatenated, sar_* or message_payload delivery), expecting
deliver_sm_resp. PDUs are built and parsed here from the
specification, independently of smpplib, which the channel uses.
"""

from __future__ import annotations

import asyncio
import itertools
import struct
import threading
from dataclasses import dataclass, field

from bot.channels.sms.text import gsm7_decode

BIND_TRANSCEIVER = 0x00000009
SUBMIT_SM = 0x00000004
DELIVER_SM = 0x00000005
UNBIND = 0x00000006
ENQUIRE_LINK = 0x00000015
GENERIC_NACK = 0x80000000
RESP = 0x80000000
ESME_ROK = 0
ESME_RINVPASWD = 0x0E
ESME_RINVCMDID = 0x03
SAR_MSG_REF_NUM = 0x020C
SAR_TOTAL_SEGMENTS = 0x020E
SAR_SEGMENT_SEQNUM = 0x020F
MESSAGE_PAYLOAD = 0x0424


def cstring(body: bytes, at: int) -> tuple[str, int]:
    end = body.index(b"\x00", at)
    return body[at:end].decode("latin-1"), end + 1


def tlv(tag: int, value: bytes) -> bytes:
    """An optional parameter: tag, length, value."""
    return struct.pack(">HH", tag, len(value)) + value


def pdu(command: int, sequence: int, body: bytes = b"", status: int = ESME_ROK) -> bytes:
    return struct.pack(">IIII", 16 + len(body), command, status, sequence) + body


@dataclass
class SubmittedPart:
    source: str
    destination: str
    data_coding: int
    esm_class: int
    short_message: bytes

    @property
    def text(self) -> str:
        payload = self.short_message
        if self.esm_class & 0x40:
            payload = payload[payload[0] + 1 :]
        return payload.decode("utf-16-be") if self.data_coding == 8 else gsm7_decode(payload)


@dataclass
class FakeSmsc:
    system_id: str
    password: str
    parts: list[SubmittedPart] = field(default_factory=list)
    binds: list[tuple[str, int]] = field(default_factory=list)
    delivered_acks: list[int] = field(default_factory=list)
    port: int = 0
    _writer: asyncio.StreamWriter | None = None
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def start(self) -> FakeSmsc:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._session, "127.0.0.1", 0), self.loop
        ).result(timeout=10)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        self._server.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)

    @property
    def bound(self) -> bool:
        return self._writer is not None

    def deliver(
        self, source: str, destination: str, text: str, how: str = "udh", options: bytes = b""
    ) -> None:
        """A customer's SMS arriving at the SMSC, passed on to the ESME in UCS-2.
        Longer than one SMS it goes as an SMSC chooses: concatenated parts
        with a UDH (`udh`), parts carrying the sar_* optional parameters
        (`sar`), or whole in one deliver_sm's message_payload TLV with an empty
        short_message (`payload`). `options` are more optional parameters on
        every part (an SMSC's own: bearer type, USSD operation, vendor tags)."""
        encoded = text.encode("utf-16-be")
        if how == "payload":
            self._deliver_part(source, destination, b"", 0, tlv(MESSAGE_PAYLOAD, encoded) + options)
            return
        if len(encoded) <= 140:
            self._deliver_part(source, destination, encoded, 0, options)
            return
        pieces = [encoded[i : i + 134] for i in range(0, len(encoded), 134)]
        for n, piece in enumerate(pieces, start=1):
            if how == "sar":
                sar = (
                    tlv(SAR_MSG_REF_NUM, struct.pack(">H", 300))
                    + tlv(SAR_TOTAL_SEGMENTS, bytes((len(pieces),)))
                    + tlv(SAR_SEGMENT_SEQNUM, bytes((n,)))
                )
                self._deliver_part(source, destination, piece, 0, sar + options)
            else:
                udh = bytes((5, 0, 3, 77, len(pieces), n))
                self._deliver_part(source, destination, udh + piece, 0x40, options)

    def _deliver_part(
        self, source: str, destination: str, chunk: bytes, esm_class: int, options: bytes = b""
    ) -> None:
        body = (
            b"\x00"  # service_type
            + bytes((1, 1)) + source.encode() + b"\x00"
            + bytes((1, 1)) + destination.encode() + b"\x00"
            + bytes((esm_class, 0, 0)) + b"\x00" + b"\x00"  # protocol, priority, times
            + bytes((0, 0, 8, 0, len(chunk))) + chunk
            + options
        )  # fmt: skip
        self._send(pdu(DELIVER_SM, next(self._seq), body))

    def texts_to(self, number: str) -> list[str]:
        """Whole messages sent to a number, concatenated parts joined."""
        messages: list[str] = []
        pending: dict[int, dict[int, str]] = {}
        for part in (p for p in self.parts if p.destination == number):
            if part.esm_class & 0x40:
                ref, total, seq = part.short_message[3], part.short_message[4], part.short_message[5]
                group = pending.setdefault(ref, {})
                group[seq] = part.text
                if len(group) == total:
                    messages.append("".join(group[i] for i in sorted(group)))
                    del pending[ref]
            else:
                messages.append(part.text)
        return messages

    def _send(self, data: bytes) -> None:
        writer = self._writer
        assert writer is not None, "no ESME is bound"
        self.loop.call_soon_threadsafe(writer.write, data)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                header = await reader.readexactly(16)
                length, command, _status, sequence = struct.unpack(">IIII", header)
                body = await reader.readexactly(length - 16)
                reply = self._answer(command, sequence, body, writer)
                if reply:
                    writer.write(reply)
                    await writer.drain()
                if command == UNBIND:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if self._writer is writer:
                self._writer = None
            writer.close()

    def _answer(self, command: int, sequence: int, body: bytes, writer: asyncio.StreamWriter) -> bytes | None:
        if command == BIND_TRANSCEIVER:
            system_id, at = cstring(body, 0)
            password, at = cstring(body, at)
            ok = system_id == self.system_id and password == self.password
            self.binds.append((system_id, ESME_ROK if ok else ESME_RINVPASWD))
            if ok:
                self._writer = writer
            return pdu(command | RESP, sequence, b"fake-smsc\x00", ESME_ROK if ok else ESME_RINVPASWD)
        if command == ENQUIRE_LINK:
            return pdu(command | RESP, sequence)
        if command == UNBIND:
            return pdu(command | RESP, sequence)
        if command == SUBMIT_SM:
            _service, at = cstring(body, 0)
            at += 2
            source, at = cstring(body, at)
            at += 2
            destination, at = cstring(body, at)
            esm_class = body[at]
            at += 3
            _schedule, at = cstring(body, at)
            _validity, at = cstring(body, at)
            data_coding = body[at + 2]
            sm_length = body[at + 4]
            short_message = body[at + 5 : at + 5 + sm_length]
            self.parts.append(SubmittedPart(source, destination, data_coding, esm_class, short_message))
            return pdu(command | RESP, sequence, f"msg{next(self._ids)}".encode() + b"\x00")
        if command == DELIVER_SM | RESP:
            self.delivered_acks.append(sequence)
            return None
        if command & RESP:
            return None
        return pdu(GENERIC_NACK, sequence, status=ESME_RINVCMDID)
