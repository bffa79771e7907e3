"""SMS over SMPP 3.4, for operators that connect the bot to their SMSC directly
instead of through Twilio.

The bot is an ESME bound as a transceiver (smpplib): incoming `deliver_sm` are
customer messages, replies go out as `submit_sm`. smpplib is a blocking client,
so the session lives in its own thread (connect, bind, listen, reconnect with
back-off) and hands each message to Rasa's event loop; replies are submitted
from a worker thread, never on the loop. On when SMPP_HOST and SMPP_SYSTEM_ID
are set (SMPP_PORT, default 2775; SMPP_PASSWORD; SMPP_SOURCE_ADDR, the number or
short code replies come from).

The SMS rules are the Twilio transport's (bot.channels.sms.rules): numbered
options, STOP/START with the same opt-out list, the segment limit. Replies are
cut into segments by bot.channels.sms.text (GSM-7 when every character allows it, else UCS-2) and
sent with a concatenation header (UDH, esm_class 0x40). Sender ids are
`sms:<number digits>` as for Twilio, so a customer is one conversation whichever
route carried the message; the output channel name is `smpp`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import smpplib.client
import smpplib.consts
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from smpplib.command import DeliverSM, Param
from smpplib.ptypes import ostr

from bot.channels.common import say_off_once
from bot.channels.intake import Intake
from bot.channels.sms import text as sms_text
from bot.channels.sms.rules import SmsOutput, handle_incoming
from bot.channels.state import NumberedMenus, OptOutList, channel_state
from bot.config import ChannelSettings, load

logger = logging.getLogger(__name__)

CHANNEL = "smpp"
TON_INTERNATIONAL = 1
NPI_ISDN = 1
CODING_GSM7 = 0x00
CODING_UCS2 = 0x08
ESM_UDHI = 0x40
ESM_RECEIPT = 0x04


def accept_every_optional_parameter() -> None:
    """Lets a deliver_sm carry any optional parameter SMPP defines.

    smpplib's DeliverSM lists only the optional parameters SMPP 3.4 names for
    deliver_sm; a tag the library knows but that class does not list
    (source_bearer_type, ussd_service_op, ms_validity..., which SMSCs do send)
    raises KeyError while the PDU is read, the session drops before the
    deliver_sm_resp, and the SMSC delivers the same message again into the
    same error. Tags unknown to the library are skipped already
    (allow_unknown_opt_params). Every other defined tag is read here as raw
    octets; the channel reads none of them.
    """
    for name in smpplib.consts.OPTIONAL_PARAMS:
        DeliverSM.params.setdefault(name, Param(type=ostr, max=0xFFFF))


accept_every_optional_parameter()


def encode_parts(text: str) -> tuple[list[bytes], int, int]:
    """The short_message of each part, the data_coding and the esm_class."""
    gsm = sms_text.is_gsm7(text)
    coding = CODING_GSM7 if gsm else CODING_UCS2
    segments = sms_text.split_segments(text)

    def encode(part: str) -> bytes:
        return sms_text.gsm7_encode(part) if gsm else part.encode("utf-16-be")

    if len(segments) <= 1:
        return [encode(text)], coding, 0
    ref = random.randint(0, 255)
    total = len(segments)
    return (
        [bytes((5, 0, 3, ref, total, seq)) + encode(part) for seq, part in enumerate(segments, start=1)],
        coding,
        ESM_UDHI,
    )


def decode(payload: bytes, coding: int) -> str:
    if coding == CODING_UCS2:
        return payload.decode("utf-16-be", errors="replace")
    if coding == CODING_GSM7:
        return sms_text.gsm7_decode(payload)
    if coding == 0x03:
        return payload.decode("latin-1")
    return payload.decode("utf-8", errors="replace")


def text_of(value: Any) -> str:
    return value.decode("ascii", errors="replace") if isinstance(value, bytes) else str(value or "")


class SmppLink:
    """One bound transceiver session, kept up by a thread of its own."""

    def __init__(self, settings: ChannelSettings, on_text: Callable[[str, str], None]) -> None:
        self.settings = settings
        self.on_text = on_text
        self.client: Any = None
        self.bound = threading.Event()
        self._stop = threading.Event()
        self._send_lock = threading.Lock()
        self._parts: dict[tuple[str, int], dict[int, str]] = {}
        self._thread = threading.Thread(target=self._run, name="smpp", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        client = self.client
        if client is not None:
            with contextlib.suppress(Exception):
                client.disconnect()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        s = self.settings
        delay = 1.0
        while not self._stop.is_set():
            client = smpplib.client.Client(
                s.smpp.host, s.smpp.port, timeout=30, allow_unknown_opt_params=True
            )
            client.set_message_received_handler(self._received)
            try:
                client.connect()
                client.bind_transceiver(system_id=s.smpp.system_id, password=s.smpp.password)
                self.client = client
                self.bound.set()
                delay = 1.0
                logger.info("smpp: bound to %s:%s as %s", s.smpp.host, s.smpp.port, s.smpp.system_id)
                client.listen()
            except Exception as error:
                if not self._stop.is_set():
                    logger.warning("smpp: session lost (%s), reconnecting in %.0f s", error, delay)
            finally:
                self.bound.clear()
                self.client = None
                with contextlib.suppress(Exception):
                    client.disconnect()
            self._stop.wait(delay)
            delay = min(delay * 2, 30.0)

    def _received(self, pdu: Any, **_: Any) -> int:
        """A deliver_sm: a customer's message (or one part of it)."""
        esm_class = int(getattr(pdu, "esm_class", 0) or 0)
        if esm_class & ESM_RECEIPT:
            return 0  # a delivery receipt, not a message
        source = text_of(pdu.source_addr)
        # A long SMS may come whole in the message_payload TLV, short_message empty.
        payload = bytes(pdu.short_message or getattr(pdu, "message_payload", None) or b"")
        coding = int(getattr(pdu, "data_coding", 0) or 0)
        concat: tuple[int, int, int] | None = None
        if esm_class & ESM_UDHI and payload:
            header, payload = payload[: payload[0] + 1], payload[payload[0] + 1 :]
            concat = _concat_info(header)
        elif getattr(pdu, "sar_total_segments", None):
            # Parts numbered by the sar_* TLVs instead of a UDH.
            concat = (
                int(pdu.sar_msg_ref_num or 0),
                int(pdu.sar_total_segments),
                int(pdu.sar_segment_seqnum or 1),
            )
        if concat is not None and concat[1] > 1:
            ref, total, seq = concat
            parts = self._parts.setdefault((source, ref), {})
            parts[seq] = decode(payload, coding)
            if len(parts) < total:
                return 0
            del self._parts[(source, ref)]
            self.on_text(source, "".join(parts[i] for i in sorted(parts)))
            return 0
        self.on_text(source, decode(payload, coding))
        return 0

    def submit(self, number: str, text: str) -> None:
        """Sends one reply (in as many parts as it takes); blocking."""
        if not self.bound.wait(timeout=10) or self.client is None:
            raise RuntimeError("no SMPP session")
        parts, coding, esm_class = encode_parts(text)
        with self._send_lock:
            for part in parts:
                self.client.send_message(
                    source_addr_ton=TON_INTERNATIONAL,
                    source_addr_npi=NPI_ISDN,
                    source_addr=self.settings.smpp.source_addr,
                    dest_addr_ton=TON_INTERNATIONAL,
                    dest_addr_npi=NPI_ISDN,
                    destination_addr=number.lstrip("+"),
                    short_message=part,
                    data_coding=coding,
                    esm_class=esm_class,
                    registered_delivery=0,
                )


def _concat_info(header: bytes) -> tuple[int, int, int] | None:
    """(reference, total, sequence) from a UDH's concatenation element."""
    i = 1
    while i + 1 < len(header):
        element, size = header[i], header[i + 1]
        body = header[i + 2 : i + 2 + size]
        if element == 0x00 and size == 3:
            return body[0], body[1], body[2]
        if element == 0x08 and size == 4:
            return (body[0] << 8) | body[1], body[2], body[3]
        i += 2 + size
    return None


class SmppOutput(SmsOutput):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, settings: ChannelSettings, opt_outs: OptOutList, menus: NumberedMenus) -> None:
        super().__init__(settings.sms_max_segments, opt_outs, menus)
        self.link: SmppLink | None = None

    async def deliver(self, number: str, text: str) -> None:
        if self.link is None:
            logger.error("smpp: not connected; reply to %s not sent", number)
            return
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.link.submit, number, text)
        except Exception as error:
            logger.error("smpp: reply to %s not sent (%s)", number, error)


class SmppInput(InputChannel):  # type: ignore[misc]
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SmppInput:
        settings = load()
        return cls(settings.channels, settings.var_dir / "channels")

    def __init__(self, settings: ChannelSettings, state_dir: Path) -> None:
        self.settings = settings
        self.output: SmppOutput | None = None
        missing = [
            n
            for n, v in (("SMPP_HOST", settings.smpp.host), ("SMPP_SYSTEM_ID", settings.smpp.system_id))
            if not v
        ]
        if missing:
            say_off_once(CHANNEL, f"{', '.join(missing)} not set")
            return
        self.output = SmppOutput(settings, channel_state().opt_outs(state_dir), channel_state().menus())

    def get_output_channel(self) -> OutputChannel | None:
        return self.output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("smpp_status", __name__)
        on_new_message = Intake.shared().guard(on_new_message)

        async def health(_: Request) -> HTTPResponse:
            if self.output is None:
                return response.json({"status": "off"})
            bound = self.output.link is not None and self.output.link.bound.is_set()
            return response.json({"status": "ok" if bound else "connecting"})

        async def start(_app: Sanic, _loop: Any) -> None:
            output = self.output
            if output is None:
                return
            loop = asyncio.get_running_loop()

            def on_text(number: str, text: str) -> None:
                asyncio.run_coroutine_threadsafe(handle_incoming(output, number, text, on_new_message), loop)

            output.link = SmppLink(self.settings, on_text)
            output.link.start()

        async def stop(_app: Sanic, _loop: Any) -> None:
            if self.output is not None and self.output.link is not None:
                await asyncio.get_running_loop().run_in_executor(None, self.output.link.stop)

        bp.add_route(health, "/", methods=["GET"])
        bp.listener(start, "after_server_start")
        bp.listener(stop, "before_server_stop")
        return bp
