"""What fits in an SMS: GSM-7 versus UCS-2, segment counts, and cutting a long
reply down to a sane number of segments.

A single SMS carries 160 GSM-7 characters or 70 UCS-2 code units; a
concatenated one loses room to the header, leaving 153 and 67 per segment. One
Cyrillic letter forces UCS-2 for the whole message, so Russian replies are
counted in 70/67. Characters of the GSM-7 extension table (`{}[]~|^€\\`) take two
septets. Pure standard library so the SMPP adapter and the tests share it.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"

ELLIPSIS = "…"


@dataclass(frozen=True)
class Encoding:
    name: str  # "GSM-7" or "UCS-2"
    single: int  # units in a one-part message
    multi: int  # units per part of a concatenated message


GSM7 = Encoding("GSM-7", 160, 153)
UCS2 = Encoding("UCS-2", 70, 67)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def encoding_of(text: str) -> Encoding:
    return GSM7 if is_gsm7(text) else UCS2


def unit_length(ch: str, encoding: Encoding) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) one character takes."""
    if encoding is GSM7:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def length(text: str, encoding: Encoding | None = None) -> int:
    enc = encoding or encoding_of(text)
    return sum(unit_length(ch, enc) for ch in text)


def split_segments(text: str) -> list[str]:
    """The text as the parts a phone would receive, never splitting an
    extension character or a surrogate pair across two parts."""
    enc = encoding_of(text)
    if length(text, enc) <= enc.single:
        return [text] if text else []
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        size = unit_length(ch, enc)
        if used + size > enc.multi:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += size
    if current:
        parts.append("".join(current))
    return parts


def segment_count(text: str) -> int:
    return len(split_segments(text))


def fit(text: str, max_segments: int) -> str:
    """The text cut (at a word boundary, with an ellipsis) so that it takes at
    most `max_segments` segments; unchanged when it already fits."""
    text = text.strip()
    if segment_count(text) <= max_segments:
        return text
    enc = encoding_of(text + ELLIPSIS)
    budget = enc.single if max_segments <= 1 else enc.multi * max_segments
    budget -= length(ELLIPSIS, enc)
    kept: list[str] = []
    used = 0
    for ch in text:
        size = unit_length(ch, enc)
        if used + size > budget:
            break
        kept.append(ch)
        used += size
    cut = "".join(kept)
    space = cut.rfind(" ")
    if space > len(cut) // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:—-\n") + ELLIPSIS


# GSM 03.38 extension table: characters sent as ESC (0x1B) + this code.
GSM7_EXTENSION_CODES = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}


def gsm7_encode(text: str) -> bytes:
    """Unpacked GSM-7 (one septet per byte), as SMPP's data_coding 0 carries it."""
    out = bytearray()
    for ch in text:
        if ch in GSM7_EXTENSION_CODES:
            out += bytes((0x1B, GSM7_EXTENSION_CODES[ch]))
        else:
            out.append(GSM7_BASIC.index(ch))
    return bytes(out)


def gsm7_decode(data: bytes) -> str:
    reverse = {code: ch for ch, code in GSM7_EXTENSION_CODES.items()}
    out: list[str] = []
    escape = False
    for byte in data:
        if escape:
            out.append(reverse.get(byte, " "))
            escape = False
        elif byte == 0x1B:
            escape = True
        elif byte < len(GSM7_BASIC):
            out.append(GSM7_BASIC[byte])
    return "".join(out)
