"""Two (or more) needs in one customer message.

"Потерял карту и ещё хочу поменять номер телефона" holds two requests. The
NLU (`bot.nlu.two_needs`) splits such a message into clauses (`clauses.py`),
lets the trained model read each clause, and keeps the most urgent need as
the message's intent (`urgency.py`); the others travel in the parse data
under `PARSE_KEY` as `OtherNeed`s. The actions (`actions/two_needs.py`)
remember them in the `pending_needs` slot and take them up, one by one, when
the first need is done.

Standard library only: the Rasa process and the action server both import it.
"""

from __future__ import annotations

from typing import TypedDict

# The parse-data keys (and the slot) shared by the NLU and the actions: the
# other needs, and the clause of the need handled first (the FAQ search reads
# that clause, not the whole message, which would find the other topic too).
PARSE_KEY = "other_needs"
FIRST_KEY = "first_need"
# Clauses the model did not read as a request of their own but that ask
# something ("… и как мне теперь новую получить"): the action server keeps the
# ones the knowledge base answers with an article of their own
# (actions/two_needs.py), so a second question is not lost to a weak reading.
MAYBE_KEY = "maybe_needs"
SLOT = "pending_needs"


class OtherNeed(TypedDict):
    """A need the customer named besides the one the bot handles first (and,
    under FIRST_KEY, that first one)."""

    intent: str
    # The clause that names it, as the NLU read it (normalised): the FAQ
    # search and the agent's case read this text.
    text: str
    confidence: float


class MaybeNeed(OtherNeed, total=False):
    """A clause that may be a need (MAYBE_KEY): `asks` when it asks something;
    a clause that only tells ("приложение вылетает после обновления") is a
    need only when the knowledge base is sure of an article for it."""

    asks: bool


__all__ = ["FIRST_KEY", "MAYBE_KEY", "PARSE_KEY", "SLOT", "MaybeNeed", "OtherNeed"]
