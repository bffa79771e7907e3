"""The fields of a good request, as the form's slots, and which a request of
a given type needs: a suggestion has no error text and no app version; the
type decides nothing else."""

from __future__ import annotations

from bot.handoff.vocabulary import TYPE_ERROR, TYPE_QUESTION, TYPE_SUGGESTION

TYPE = "request_type"
TOPIC = "problem_topic"
DESCRIPTION = "problem_description"
ERROR_TEXT = "problem_error_text"
VERSION = "problem_app_version"
HAPPENED = "problem_happened"
CONTACT = "problem_contact"
# How many times each question got an answer the bot could not use: {slot: n}.
TRIES = "problem_tries"

# Every field, in the order the form fills them.
ORDER = (TYPE, TOPIC, DESCRIPTION, ERROR_TEXT, VERSION, HAPPENED, CONTACT)
# The topic is never asked: it is the first clause of the description.
ASKED = tuple(slot for slot in ORDER if slot != TOPIC)
# One question asks for these three together ("Ошибка 500, версия 5.2.1,
# сегодня в 14:30"); what its answer does not give is not asked again, so a
# request takes four questions at most: type, description, details, contact.
DETAILS = (ERROR_TEXT, VERSION, HAPPENED)
NOT_FOR = {
    TYPE_SUGGESTION: {ERROR_TEXT, VERSION, HAPPENED},
    TYPE_QUESTION: {ERROR_TEXT, HAPPENED},
    TYPE_ERROR: set(),
}
# A field the customer skipped, or that stayed unclear after the re-ask: the
# slot must hold something for the form to move on; the desk gets nothing.
SKIPPED = "-"
# The desk's name of each field (`bot.handoff.payload.TicketFields`).
DESK_NAMES = {
    TOPIC: "topic",
    DESCRIPTION: "description",
    ERROR_TEXT: "error_text",
    VERSION: "app_version",
    HAPPENED: "happened",
    CONTACT: "contact",
}
# After two unusable answers the bot takes what it has and moves on.
MAX_TRIES = 2


def required(request_type: str | None) -> list[str]:
    """The slots a request of this type needs (all of them until the type is known)."""
    left_out = NOT_FOR.get(str(request_type or ""), set())
    return [slot for slot in ASKED if slot not in left_out]


def given(value: object) -> str | None:
    """The value for the desk: None for an empty or skipped field."""
    if value is None:
        return None
    text = str(value).strip()
    return None if not text or text == SKIPPED else text
