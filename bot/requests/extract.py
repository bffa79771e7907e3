"""Finding the fields of a request in what the customer wrote, so a long first
message («в приложении версии 5.2.1 вчера в 14:30 при оплате выскочило
"Сервис недоступен", пишите на a@b.ru») is not asked about again.

Rule-based, like `bot.text.values` (whose dates, phones and e-mails it uses):
the shapes are fixed (quotes around an error, "версия 5.2.1", "Chrome 120"),
and a rule that misses leaves the field to the question that follows.
"""

from __future__ import annotations

import re
from datetime import date

from bot.handoff.vocabulary import TYPE_ERROR, TYPE_QUESTION, TYPE_SUGGESTION
from bot.requests import fields
from bot.text import values

# «…», "…", „…“, '…' — what customers put the error's own words in.
_QUOTED = re.compile(r"«([^»]{2,300})»|\"([^\"]{2,300})\"|„([^“”]{2,300})[“”]|“([^”]{2,300})”")
# What introduces the error's own words.
_ERROR_LEAD = re.compile(
    r"пишет|ошибк|выда[ёе]т|выдал|появ|сообщени|выскоч|высвечива|error|показыва", re.IGNORECASE
)
# "ошибка 500", "код ошибки 0x80070005", "error 403"
_ERROR_CODE = re.compile(
    r"\b(?:код\s+ошибки|ошибк[аиуеой]|error)\s*(?:№|#|код|code)?\s*[:\-–]?\s*([A-Za-z]*\d[\w\-.]*)",
    re.IGNORECASE,
)
# "ошибка: не удалось подключиться" (after a colon, up to the end of the sentence)
# ("сообщить об ошибке: …" introduces a story, not the error's words)
_ERROR_AFTER_COLON = re.compile(
    r"(?<!об )(?<!о )\b(?:ошибк[аиуеой]|пишет|выдаёт|выдает|error)\s*:\s*([^.\n;!?]{3,300})", re.I
)
_VERSION = re.compile(r"\b(?:верси[яиюей]|версия\s+приложения|v\.?|ver\.?)\s*(\d+(?:\.\d+){0,3})\b", re.I)
_PRODUCT = re.compile(
    r"\b(Google Chrome|Chrome|Хром(?:е|а|ом)?|Firefox|Фаерфокс(?:е)?|Safari|Сафари|Edge|Opera|Опер(?:а|е|ой)|"
    r"Яндекс[ .]?Браузер(?:е|а)?|Yandex(?: Browser)?|Android|Андроид(?:е)?|iOS|iPadOS|Windows|macOS|"
    r"Huawei|Samsung|iPhone|Айфон(?:е)?)(?![A-Za-zА-Яа-яЁё])\s*(\d+(?:\.\d+){0,3})?",
    re.IGNORECASE,
)
_TIME = re.compile(r"(?<![\d.:])(?:в\s+)?([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d.:])")
_TIME_WORDS = re.compile(
    r"\b(только что|сейчас|сегодня утром|сегодня днём|сегодня днем|сегодня вечером|утром|днём|вечером|"
    r"ночью|час назад|\d+\s+(?:минут|мин|час(?:а|ов)?)\s+назад|на этой неделе|на прошлой неделе)\b",
    re.IGNORECASE,
)
_ERROR_WORDS = re.compile(
    r"ошибк|не работает|не могу|не получается|не удаётся|не удается|сбой|глючит|вылета|зависа|"
    r"не загружа|не приходит|не открыва|не проходит|сломал|баг",
    re.IGNORECASE,
)
_SUGGESTION_WORDS = re.compile(
    r"предлаг|предложени|было бы (?:удобно|здорово|хорошо)|хорошо бы|добавьте|сделайте возможность|идея|пожелани",
    re.IGNORECASE,
)
_QUESTION_WORDS = re.compile(r"\bвопрос\b|\bкак\b|\bподскажите\b|\bможно ли\b|\bгде\b", re.IGNORECASE)
# What a first message must be longer than to count as the description itself
# («хочу сообщить об ошибке» is the request to report, not the report).
DESCRIPTION_MIN_WORDS = 8
TOPIC_MAX_CHARS = 100


def error_text(text: str) -> str | None:
    """The error's own words: quoted, a code after "ошибка", or what follows "ошибка:"."""
    quotes = [(m.start(), next(g for g in m.groups() if g).strip()) for m in _QUOTED.finditer(text)]
    if quotes:
        # «нажал "Перевести" — пишет "Ошибка 403"»: the words after "пишет",
        # else the quote that reads like an error, else the last one.
        after_word = [q for at, q in quotes if _ERROR_LEAD.search(text[max(0, at - 25) : at])]
        error_like = [q for _, q in quotes if _ERROR_WORDS.search(q)]
        return (after_word or error_like or [quotes[-1][1]])[0]
    after = _ERROR_AFTER_COLON.search(text)
    if after:
        return after.group(1).strip()
    code = _ERROR_CODE.search(text)
    if code:
        return f"Ошибка {code.group(1)}"
    return None


def version(text: str) -> str | None:
    """The app version and the browser or system, as written: "5.2.1, Chrome 120"."""
    parts = [f"версия {m.group(1)}" for m in _VERSION.finditer(text)]
    for match in _PRODUCT.finditer(text):
        parts.append(" ".join(group for group in match.groups() if group))
    text_parts = list(dict.fromkeys(part.strip() for part in parts if part.strip()))
    return ", ".join(text_parts) or None


def happened(text: str, today: date) -> str | None:
    """When: a date ("вчера", "12 ноября", "06.12") as DD.MM.YYYY, a time
    (14:30), or words like "только что"; None when the text names no moment."""
    without_versions = _VERSION.sub(" ", text)
    dates = values.find_dates(without_versions, today)
    times = _TIME.findall(without_versions)
    parts = []
    if dates:
        parts.append(date.fromisoformat(dates[0].value).strftime("%d.%m.%Y"))
    if times:
        hour, minute = times[0]
        parts.append(f"{int(hour):02d}:{minute}")
    if not parts:
        words = _TIME_WORDS.search(text)
        return words.group(1).lower() if words else None
    return " ".join(parts)


def contact(text: str) -> str | None:
    """An e-mail or a phone (+7XXXXXXXXXX), the first given."""
    found = [*values.find_emails(text), *values.find_phones(text)]
    return min(found, key=lambda f: f.start).value if found else None


def request_type(text: str) -> str | None:
    """The type a message makes clear: an error, a suggestion or a question."""
    if _SUGGESTION_WORDS.search(text):
        return TYPE_SUGGESTION
    if _ERROR_WORDS.search(text):
        return TYPE_ERROR
    if _QUESTION_WORDS.search(text) or text.rstrip().endswith("?"):
        return TYPE_QUESTION
    return None


def topic(text: str) -> str | None:
    """The first clause of a long message, as a short topic."""
    clause = re.split(r"[.!?;](?:\s|$)|\n|,\s", text.strip(), maxsplit=1)[0].strip()
    if len(clause.split()) < 2:
        return None
    return clause if len(clause) <= TOPIC_MAX_CHARS else clause[: TOPIC_MAX_CHARS - 1].rstrip() + "…"


def from_first_message(text: str, today: date) -> dict[str, str]:
    """Every field a report's first message already gives, by slot name.

    Short messages ("у меня проблема") give nothing: the form asks. A long one
    is the description, its first clause the topic, and whatever else it
    names (type, error text, version, when, contact) is taken too."""
    found: dict[str, str | None] = {
        fields.ERROR_TEXT: error_text(text),
        fields.VERSION: version(text),
        fields.HAPPENED: happened(text, today),
        fields.CONTACT: contact(text),
    }
    if len(text.split()) >= DESCRIPTION_MIN_WORDS:
        found[fields.DESCRIPTION] = text.strip()
        found[fields.TOPIC] = topic(text)
        found[fields.TYPE] = request_type(text)
    if not found.get(fields.TYPE) and found[fields.ERROR_TEXT]:
        found[fields.TYPE] = TYPE_ERROR
    return {slot: value for slot, value in found.items() if value}


def from_answer(text: str, today: date) -> dict[str, str]:
    """The fields any later answer gives besides the one asked (a description
    that names the version fills the version too)."""
    found = {
        fields.ERROR_TEXT: error_text(text),
        fields.VERSION: version(text),
        fields.HAPPENED: happened(text, today),
        fields.CONTACT: contact(text),
    }
    return {slot: value for slot, value in found.items() if value}
