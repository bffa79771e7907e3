"""Satisfaction: the customer's 1–5 rating of a conversation, with an
optional comment, stored once per conversation.

A conversation is the handoff when the rating names one (`handoff_id`), else
the customer's current conversation as the desk counts them
(`bot.desk.traffic`); a second rating of the same conversation is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from sqlalchemy.exc import IntegrityError

from bot.desk import traffic
from bot.desk.context import DeskContext
from bot.desk.errors import Conflict, Invalid, NotFound
from bot.desk.models import Handoff, Rating, utcnow
from bot.desk.views import iso
from bot.text.redact import mask_secrets

MAX_COMMENT_CHARS = 2000


class RatingView(TypedDict):
    id: int
    sender_id: str
    handoff_id: int | None
    rating: int
    comment: str
    created_at: str | None


async def rate(ctx: DeskContext, body: Mapping[str, Any]) -> RatingView:
    sender_id = body.get("sender_id")
    value = body.get("rating")
    comment = body.get("comment") or ""
    handoff_id = body.get("handoff_id")
    if not isinstance(sender_id, str) or not sender_id.strip():
        raise Invalid("'sender_id' is required (a non-empty string)")
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid("'rating' must be an integer from 1 to 5")
    if not isinstance(comment, str):
        raise Invalid("'comment' must be a string")
    if handoff_id is not None and (isinstance(handoff_id, bool) or not isinstance(handoff_id, int)):
        raise Invalid("'handoff_id' must be an integer")
    async with ctx.sessions() as db:
        if handoff_id is not None:
            handoff = await db.get(Handoff, handoff_id)
            if handoff is None or handoff.conversation_id != sender_id:
                raise NotFound(f"no handoff {handoff_id}")
            key = f"handoff:{handoff_id}"
        else:
            current = await traffic.latest(db, sender_id)
            key = f"conversation:{current.id}" if current else f"{sender_id}:{utcnow():%Y-%m-%d}"
        rating = Rating(
            sender_id=sender_id,
            conversation_key=key,
            handoff_id=handoff_id,
            rating=value,
            comment=mask_secrets(comment.strip())[:MAX_COMMENT_CHARS],
            created_at=utcnow(),
        )
        db.add(rating)
        try:
            await db.commit()
        except IntegrityError:
            raise Conflict("this conversation is already rated") from None
        return {
            "id": rating.id,
            "sender_id": rating.sender_id,
            "handoff_id": rating.handoff_id,
            "rating": rating.rating,
            "comment": rating.comment,
            "created_at": iso(rating.created_at),
        }


async def add_comment(ctx: DeskContext, rating_id: int, body: Mapping[str, Any]) -> RatingView:
    """The comment the customer wrote after rating ("Что можно улучшить?").
    The bot stores the rating at once, so a customer who skips the comment
    question still counts; the comment comes after, once, from the same sender."""
    sender_id = body.get("sender_id")
    comment = body.get("comment")
    if not isinstance(sender_id, str) or not sender_id.strip():
        raise Invalid("'sender_id' is required (a non-empty string)")
    if not isinstance(comment, str) or not comment.strip():
        raise Invalid("'comment' is required (a non-empty string)")
    async with ctx.sessions() as db:
        rating = await db.get(Rating, rating_id)
        if rating is None or rating.sender_id != sender_id:
            raise NotFound(f"no rating {rating_id}")
        if rating.comment:
            raise Conflict("this rating already has a comment")
        rating.comment = mask_secrets(comment.strip())[:MAX_COMMENT_CHARS]
        await db.commit()
        return {
            "id": rating.id,
            "sender_id": rating.sender_id,
            "handoff_id": rating.handoff_id,
            "rating": rating.rating,
            "comment": rating.comment,
            "created_at": iso(rating.created_at),
        }
