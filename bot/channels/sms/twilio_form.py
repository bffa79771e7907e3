"""A Twilio webhook's form exactly as it was posted, and what it carries.

Twilio's signature covers every POST parameter, blank ones included (a
Russian number comes with an empty FromCity, FromState, FromZip, ToCity,
MessagingServiceSid ...). Sanic's `request.form` drops blank values, so a
signature checked over it never matches a real request: the form is parsed
here from the raw body with blank values kept and repeated names in order, and
the same object is what the validator signs and what the channel reads.

Pure standard library and multidict (which aiohttp brings to both
environments), so it is unit-tested without Rasa.
"""

from __future__ import annotations

import urllib.parse
from typing import TypedDict

from multidict import MultiDict, MultiDictProxy

Form = MultiDictProxy[str]

MEDIA_LABELS = {"image": "фото", "video": "видео", "audio": "аудио"}


class Media(TypedDict):
    """One attachment of an MMS, as the bot's metadata notes it."""

    type: str  # the MIME type Twilio reports, e.g. image/jpeg
    url: str  # where Twilio keeps the file (fetched with the account's credentials)


def posted_form(body: bytes) -> Form:
    """Every field of an `application/x-www-form-urlencoded` body, blank values
    kept, repeated names in the order they came (twilio's RequestValidator
    reads them with `getall`)."""
    text = body.decode("utf-8", errors="replace")
    return MultiDictProxy(MultiDict(urllib.parse.parse_qsl(text, keep_blank_values=True)))


def message_sid(form: Form) -> str:
    """The message's id, the same on every retry of one delivery."""
    return form.get("MessageSid") or form.get("SmsSid") or ""


def media_of(form: Form) -> list[Media]:
    """The MMS attachments, MediaUrl0/MediaContentType0 onwards (read from the
    fields themselves rather than trusting NumMedia)."""
    found: list[Media] = []
    while (url := form.get(f"MediaUrl{len(found)}")) is not None:
        found.append(Media(type=form.get(f"MediaContentType{len(found)}", ""), url=url))
    return found


def media_label(media: list[Media]) -> str:
    """What an MMS without text says in a transcript: `[фото]`, `[файл]` ..."""
    kinds = [MEDIA_LABELS.get(m["type"].partition("/")[0], "файл") for m in media]
    return " ".join(f"[{kind}]" for kind in kinds)
