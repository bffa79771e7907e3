"""What fits in an SMS: the encoding and segment arithmetic a phone applies."""

from __future__ import annotations

from bot.channels.sms import text as sms_text


def test_latin_text_is_gsm7_with_160_then_153_per_part() -> None:
    assert sms_text.encoding_of("Hello") is sms_text.GSM7
    assert sms_text.segment_count("a" * 160) == 1
    assert sms_text.segment_count("a" * 161) == 2
    assert sms_text.segment_count("a" * 306) == 2 and sms_text.segment_count("a" * 307) == 3


def test_extension_characters_take_two_septets_and_are_never_split() -> None:
    assert sms_text.length("{}") == 4
    parts = sms_text.split_segments("a" * 152 + "€" + "b" * 10)
    assert parts[0] == "a" * 152 and parts[1].startswith("€")


def test_one_cyrillic_letter_makes_it_ucs2_with_70_then_67() -> None:
    assert sms_text.encoding_of("Hello, Иван") is sms_text.UCS2
    assert sms_text.segment_count("я" * 70) == 1
    assert sms_text.segment_count("я" * 71) == 2
    assert [len(p) for p in sms_text.split_segments("я" * 134)] == [67, 67]


def test_an_emoji_is_two_code_units_and_stays_whole() -> None:
    parts = sms_text.split_segments("я" * 66 + "🙂" + "я" * 10)
    assert parts[0] == "я" * 66 and parts[1].startswith("🙂")


def test_fit_cuts_at_a_word_with_an_ellipsis_within_the_limit() -> None:
    text = "Слово " * 100
    cut = sms_text.fit(text, 3)
    assert sms_text.segment_count(cut) <= 3 and cut.endswith("…")
    assert cut[:-1].split() == ["Слово"] * len(cut[:-1].split())
    assert sms_text.fit("Коротко.", 3) == "Коротко."


def test_gsm7_round_trip() -> None:
    text = "Price: 5€ [ok] {x} ~ | ^ \\ @£$"
    assert sms_text.gsm7_decode(sms_text.gsm7_encode(text)) == text
