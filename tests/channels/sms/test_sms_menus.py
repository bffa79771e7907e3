"""Buttons as numbered options, and a digit as the chosen button."""

from __future__ import annotations

from bot.channels.sms.menus import Menus


def test_options_are_numbered_and_a_digit_picks_the_payload() -> None:
    menus = Menus()
    lines = menus.offer("sms:1", [{"title": "Да", "payload": "/affirm"}, {"title": "Нет"}])
    assert lines == "1. Да\n2. Нет"
    assert menus.resolve("sms:1", "2.") == "Нет"
    # Answered: the next "1" is text again.
    assert menus.resolve("sms:1", "1") == "1"


def test_a_digit_out_of_range_or_from_another_sender_stays_text() -> None:
    menus = Menus()
    menus.offer("sms:1", [{"title": "Да", "payload": "/affirm"}])
    assert menus.resolve("sms:1", "3") == "3"
    assert menus.resolve("sms:2", "1") == "1"
    assert menus.resolve("sms:1", "1)") == "/affirm"
