"""The Twilio webhook's form as posted: what the signature covers."""

from __future__ import annotations

import urllib.parse

from bot.channels.sms.twilio_form import media_label, media_of, message_sid, posted_form
from tests.fakes.twilio_api import incoming_message

SID = "AC" + "0" * 32


def test_every_field_is_kept_blank_ones_included_in_order() -> None:
    fields = incoming_message(SID, "+79990000001", "+15005550006", "привет, +1 & 2")
    form = posted_form(urllib.parse.urlencode(fields).encode())
    assert list(form.items()) == fields
    assert form["FromCity"] == "" and form["MessagingServiceSid"] == ""
    # What Sanic's request.form (parse_qs without blank values) would have kept:
    dropped = urllib.parse.parse_qs(urllib.parse.urlencode(fields))
    assert "FromCity" not in dropped


def test_a_repeated_field_keeps_every_value_in_order() -> None:
    form = posted_form(b"Tag=b&Tag=a&Tag=&Body=x")
    assert form.getall("Tag") == ["b", "a", ""]


def test_the_message_sid_and_media_of_an_mms() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1"
    fields = incoming_message(
        SID, "+79990000001", "+15005550006", "", media=[(url, "image/jpeg"), (url + "2", "application/pdf")]
    )
    form = posted_form(urllib.parse.urlencode(fields).encode())
    assert message_sid(form) == form["MessageSid"] != ""
    media = media_of(form)
    assert media == [{"type": "image/jpeg", "url": url}, {"type": "application/pdf", "url": url + "2"}]
    assert media_label(media) == "[фото] [файл]"
    assert media_of(posted_form(b"Body=hi&NumMedia=0")) == []
