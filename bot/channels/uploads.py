"""Files the customer sends on a channel that carries them (the widget's
paperclip, a Telegram photo or document), outside a handoff: they join the
customer's newest open request at the desk, which stores them within its size
and type limits (`POST /api/internal/customers/{sender_id}/attachments`).

A file sent while the problem-report form is still asking (the request has
no number yet), or by a customer with no open request, is held by the desk
for the conversation and goes with the request the conversation files next
(bot/desk/held_files.py): the channel asks the desk to hold it when it sees
the form running in the conversation's tracker.

Every outcome is one sentence for the customer: stored (with the request's
number), held for the request being filed, too large, a type the desk
refuses, too many held, or the desk unreachable. The channel only says it;
nothing goes to Rasa.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import aiohttp

from bot.channels.common import tracker_of
from bot.config import load

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=30)
NO_REQUEST = (
    "Файл я сохранить не могу: открытого обращения у вас нет. Чтобы оформить обращение, напишите "
    "«сообщить о проблеме»."
)
REQUEST_FORM = "report_problem_form"
UNAVAILABLE = "Не получилось сохранить файл: служба поддержки сейчас недоступна. Пришлите его чуть позже."
TOO_MANY = (
    "Файлов уже достаточно: больше не приму, пока обращение не оформлено. "
    "Остальные пришлите после номера обращения."
)


def held_in_form(filename: str) -> str:
    """A file sent while the form asks its questions: it waits for the number."""
    return (
        f"Файл «{filename}» получен — он будет приложен к обращению, как только я его оформлю. "
        "Ответьте, пожалуйста, на вопрос выше."
    )


def held_before(filename: str) -> str:
    """A file from a customer with no open request: it waits for one (the
    bot still reads only words, so the usual answer to a file is kept)."""
    return (
        f"Файл «{filename}» получен. Я, бот, понимаю только текст — опишите, пожалуйста, вопрос словами. "
        "Если файл к проблеме, напишите «сообщить о проблеме»: я оформлю обращение, и файл будет приложен к нему."
    )


def max_bytes() -> int:
    return load().desk.attachment_max_bytes


def too_large() -> str:
    return f"Файл слишком большой: принимаю до {max_bytes() // (1024 * 1024)} МБ. Сожмите его или пришлите скриншот."


def refused_type() -> str:
    return "Такой файл я принять не могу: пришлите картинку (PNG, JPEG, GIF, WebP), PDF или текстовый файл."


def stored(filename: str, number: str) -> str:
    return f"Файл «{filename}» добавлен к обращению № {number} — специалист его увидит."


async def attach(
    sender_id: str, filename: str, content_type: str, data: bytes, app: object = None
) -> tuple[str, bool]:
    """Sends the file to the desk: the sentence for the customer, and whether
    it was kept (stored with a request or held for the next). With Rasa's
    app, a customer in the request form has the file held for that request."""
    if len(data) > max_bytes():
        return too_large(), False
    tracker = await tracker_of(app, sender_id) if app is not None else None
    in_form = tracker is not None and tracker.active_loop_name == REQUEST_FORM
    settings = load()
    url = f"{settings.desk.url}/api/internal/customers/{quote(sender_id, safe='')}/attachments"
    headers = {"Authorization": f"Bearer {settings.desk_service_token()}", "Content-Type": content_type}
    params = {"filename": filename, **({"hold": "1"} if in_form else {})}
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(url, data=data, params=params, headers=headers) as response,
        ):
            answer = await response.json(content_type=None) if response.status < 500 else None
            status = response.status
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        logger.error("uploads: the desk did not take a file from %s: %s", sender_id, error)
        return UNAVAILABLE, False
    if status in (201, 202) and isinstance(answer, dict):
        name = str(answer["attachment"]["filename"])
        if status == 201:
            return stored(name, str(answer["number"])), True
        return (held_in_form(name) if in_form else held_before(name)), True
    if status == 404:
        return NO_REQUEST, False
    if status == 409:
        return TOO_MANY, False
    if status == 413:
        return too_large(), False
    if status in (400, 415):
        return refused_type(), False
    logger.error("uploads: the desk answered %s to a file from %s", status, sender_id)
    return UNAVAILABLE, False
