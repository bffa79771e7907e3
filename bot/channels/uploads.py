"""Files the customer sends on a channel that carries them (the widget's
paperclip, a Telegram photo or document), outside a handoff: they join the
customer's newest open request at the desk, which stores them within its size
and type limits (`POST /api/internal/customers/{sender_id}/attachments`).

Every outcome is one sentence for the customer: stored (with the request's
number), too large, a type the desk refuses, no open request, or the desk
unreachable. The channel only says it; nothing goes to Rasa.
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
    "«сообщить о проблеме» — после номера пришлите файл снова."
)
# A file sent while the bot is still asking about the request: it has no number yet.
BEFORE_NUMBER = (
    "Файл я приложу к обращению, как только его оформлю: ответьте, пожалуйста, на вопрос выше, "
    "а после номера обращения пришлите файл снова."
)
REQUEST_FORM = "report_problem_form"
UNAVAILABLE = "Не получилось сохранить файл: служба поддержки сейчас недоступна. Пришлите его чуть позже."


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
    it was stored. With Rasa's app, a customer still in the request form hears
    when to send it instead of "no open request"."""
    if len(data) > max_bytes():
        return too_large(), False
    settings = load()
    url = f"{settings.desk.url}/api/internal/customers/{quote(sender_id, safe='')}/attachments"
    headers = {"Authorization": f"Bearer {settings.desk_service_token()}", "Content-Type": content_type}
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(url, data=data, params={"filename": filename}, headers=headers) as response,
        ):
            answer = await response.json(content_type=None) if response.status < 500 else None
            status = response.status
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        logger.error("uploads: the desk did not take a file from %s: %s", sender_id, error)
        return UNAVAILABLE, False
    if status == 201 and isinstance(answer, dict):
        return stored(str(answer["attachment"]["filename"]), str(answer["number"])), True
    if status == 404:
        tracker = await tracker_of(app, sender_id) if app is not None else None
        if tracker is not None and tracker.active_loop_name == REQUEST_FORM:
            return BEFORE_NUMBER, False
        return NO_REQUEST, False
    if status == 413:
        return too_large(), False
    if status in (400, 415):
        return refused_type(), False
    logger.error("uploads: the desk answered %s to a file from %s", status, sender_id)
    return UNAVAILABLE, False
