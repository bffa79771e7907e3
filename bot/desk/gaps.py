"""The knowledge-gap loop: what the FAQ could not answer, grouped for the
supervisor, and closed by teaching the FAQ.

The action server reports each unanswered, choices-only or unhelpful
question (`POST /api/internal/knowledge-gaps`); the desk masks and stores it
with the sender id (so an erasure by sender removes it). The supervisor sees
the open reports as clusters of the same need, grouped by the FAQ's own
encoder (`bot.faq.encoders`, the one the index uses), ranked by frequency,
each with examples and the articles the bot found nearest. Resolving a
cluster either adds its questions to an existing article's `questions:` or
writes a new article (`<FAQ_DIR>/<id>.md`), then refreshes the index: only
the changed article is embedded again (per-article hashes) and a new
generation's manifest is written, which the action server's search notices
by a stat() of the manifest before its next search (`FaqSearch.reload_if_changed`)
— no retraining, no restart. Resolved or dismissed reports leave the list.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from bot.config import FaqSettings
from bot.desk.context import DeskContext
from bot.desk.errors import Conflict, Invalid, NotFound
from bot.desk.models import KnowledgeGap, utcnow
from bot.desk.views import iso
from bot.faq.articles import ArticleError, add_questions, load_articles, write_article
from bot.faq.encoders import Encoder, make_encoder
from bot.faq.index import build_from_directory
from bot.handoff.payload import NearestArticle
from bot.text.redact import mask_secrets

KINDS = ("no_answer", "choices", "unhelpful")
MAX_QUERY_CHARS = 1000
# Two questions are the same need when their e5 query embeddings are at least
# this close (cosine). e5 puts unrelated Russian questions around 0.75-0.82
# and paraphrases of one need above ~0.87.
SAME_NEED = 0.87
MAX_OPEN_REPORTS = 5000
EXAMPLES = 5

_resolving = asyncio.Lock()


class GapCluster(TypedDict):
    id: str  # the id of its oldest report
    count: int  # reports
    senders: int  # distinct customers
    kinds: dict[str, int]
    examples: list[str]  # distinct questions, most frequent first
    questions: list[str]  # every distinct question of the cluster
    nearest: list[NearestArticle]  # the articles the bot found closest, most often first
    first_seen: str | None
    last_seen: str | None


class Resolution(TypedDict):
    cluster: str
    action: str  # add_questions, create or dismiss
    article_id: str | None
    resolved_reports: int
    reembedded: list[str]  # articles embedded again by the refresh


async def report(ctx: DeskContext, body: Mapping[str, Any]) -> int:
    """Stores one report from the action server; returns its id."""
    sender_id, query, kind = body.get("sender_id"), body.get("query"), body.get("kind")
    if not isinstance(sender_id, str):
        raise Invalid("'sender_id' must be a string")
    if not isinstance(query, str) or not query.strip():
        raise Invalid("'query' is required (a non-empty string)")
    if kind not in KINDS:
        raise Invalid(f"'kind' must be one of {', '.join(KINDS)}")
    nearest: list[NearestArticle] = []
    for item in body.get("nearest") or []:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            score = item.get("score")
            nearest.append(
                {
                    "id": item["id"][:100],
                    "title": str(item.get("title") or "")[:200],
                    "score": float(score) if isinstance(score, int | float) else 0.0,
                }
            )
    async with ctx.sessions() as db:
        gap = KnowledgeGap(
            sender_id=sender_id,
            query=mask_secrets(" ".join(query.split()))[:MAX_QUERY_CHARS],
            kind=str(kind),
            nearest=nearest[:5],
            created_at=utcnow(),
        )
        db.add(gap)
        await db.commit()
        return gap.id


@functools.cache
def _encoder(name: str, threads: int) -> Encoder:
    """The FAQ's encoder, loaded once per desk process on first use."""
    return make_encoder(name, threads)


def encoder(settings: FaqSettings) -> Encoder:
    """The desk's one instance of the FAQ's encoder (also the quick replies' search)."""
    return _encoder(settings.encoder, settings.encoder_threads)


# Query vectors by (encoder, text): the list is drawn on every visit of the
# supervisor's page, and the open questions change little between visits.
_vectors: dict[tuple[str, str], npt.NDArray[np.float32]] = {}
MAX_CACHED_VECTORS = 20_000
_vectors_lock = threading.Lock()


def _embed(settings: FaqSettings, texts: Sequence[str]) -> npt.NDArray[np.float32]:
    encoder = _encoder(settings.encoder, settings.encoder_threads)
    with _vectors_lock:
        return _embed_locked(encoder, texts)


def _embed_locked(encoder: Encoder, texts: Sequence[str]) -> npt.NDArray[np.float32]:
    missing = [t for t in dict.fromkeys(texts) if (encoder.name, t) not in _vectors]
    if missing:
        if len(_vectors) + len(missing) > MAX_CACHED_VECTORS:
            _vectors.clear()
        for text, vector in zip(missing, encoder.encode_queries(missing), strict=True):
            _vectors[(encoder.name, text)] = np.asarray(vector, dtype=np.float32)
    return (
        np.stack([_vectors[(encoder.name, t)] for t in texts])
        if texts
        else np.zeros((0, encoder.dim), np.float32)
    )


def group(
    texts: Sequence[str], vectors: npt.NDArray[np.float32], threshold: float = SAME_NEED
) -> list[list[int]]:
    """Leader clustering: each text, most frequent first, joins the closest
    cluster whose leader is at least `threshold` similar, or leads a new one.
    Comparing with the leader (not any member) keeps a cluster from drifting
    from one need to another through a chain of near neighbours."""
    leaders: list[int] = []
    members: list[list[int]] = []
    for index in range(len(texts)):
        if leaders:
            similarity = vectors[leaders] @ vectors[index]
            best = int(np.argmax(similarity))
            if float(similarity[best]) >= threshold:
                members[best].append(index)
                continue
        leaders.append(index)
        members.append([index])
    return members


async def _open_reports(ctx: DeskContext) -> list[KnowledgeGap]:
    async with ctx.sessions() as db:
        rows = await db.scalars(
            select(KnowledgeGap)
            .where(KnowledgeGap.resolved_at.is_(None))
            .order_by(KnowledgeGap.id.desc())
            .limit(MAX_OPEN_REPORTS)
        )
        return list(reversed(rows.all()))


async def clusters(ctx: DeskContext) -> list[GapCluster]:
    """The open reports as clusters of one need, most frequent first."""
    reports = await _open_reports(ctx)
    if not reports:
        return []
    by_text: dict[str, list[KnowledgeGap]] = {}
    for gap in reports:
        by_text.setdefault(_key(gap.query), []).append(gap)
    texts = sorted(by_text, key=lambda t: (-len(by_text[t]), by_text[t][0].id))
    vectors = await asyncio.get_running_loop().run_in_executor(
        None, _embed, ctx.settings.faq, [by_text[t][0].query for t in texts]
    )
    result = [_cluster([by_text[texts[i]] for i in indices]) for indices in group(texts, vectors)]
    return sorted(result, key=lambda c: (-c["count"], int(c["id"])))


def _key(query: str) -> str:
    """One question however it was capitalised or spaced."""
    return " ".join(query.casefold().split())


def _cluster(groups: list[list[KnowledgeGap]]) -> GapCluster:
    reports = [gap for same in groups for gap in same]
    ordered = sorted(groups, key=lambda same: -len(same))
    nearest: Counter[str] = Counter()
    titles: dict[str, str] = {}
    best: dict[str, float] = {}
    for gap in reports:
        for item in gap.nearest[:3]:
            nearest[item["id"]] += 1
            titles[item["id"]] = titles.get(item["id"]) or item.get("title", "")
            best[item["id"]] = max(best.get(item["id"], -1e9), float(item.get("score", 0.0)))
    times = [gap.created_at for gap in reports]
    return {
        "id": str(min(gap.id for gap in reports)),
        "count": len(reports),
        "senders": len({gap.sender_id for gap in reports}),
        "kinds": dict(Counter(gap.kind for gap in reports)),
        "examples": [same[0].query for same in ordered[:EXAMPLES]],
        "questions": [same[0].query for same in ordered],
        "nearest": [
            {"id": i, "title": titles[i], "score": round(best[i], 4)} for i, _ in nearest.most_common(3)
        ],
        "first_seen": iso(min(times)),
        "last_seen": iso(max(times)),
    }


def _strings(value: Any, name: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Invalid(f"'{name}' must be a list of strings")
    return [item.strip() for item in value if item.strip()]


async def resolve(ctx: DeskContext, cluster_id: str, body: Mapping[str, Any]) -> Resolution:
    """Closes a cluster: `{"action": "add_questions", "article_id", "questions"?}`,
    `{"action": "create", "article": {"id", "title", "body", "category"?, "questions"?}}`
    or `{"action": "dismiss"}`. The questions default to the cluster's own."""
    action = body.get("action")
    if action not in ("add_questions", "create", "dismiss"):
        raise Invalid("'action' must be add_questions, create or dismiss")
    faq = ctx.settings.faq
    async with _resolving:
        found = next((c for c in await clusters(ctx) if c["id"] == cluster_id), None)
        if found is None:
            raise NotFound(f"no open cluster {cluster_id}")
        article_id: str | None = None
        reembedded: list[str] = []
        if action != "dismiss":
            loop = asyncio.get_running_loop()
            if action == "add_questions":
                article_id = body.get("article_id")
                questions = _strings(body.get("questions"), "questions") or found["questions"]
                if not isinstance(article_id, str) or not (faq.faq_dir / f"{article_id}.md").is_file():
                    raise NotFound(f"no article {article_id}")
                edit = functools.partial(add_questions, faq.faq_dir / f"{article_id}.md", questions)
            else:
                draft = body.get("article")
                if not isinstance(draft, Mapping):
                    raise Invalid("'article' is required: {id, title, body}")
                article_id = draft.get("id")
                title, text = draft.get("title"), draft.get("body")
                if not all(isinstance(v, str) and v.strip() for v in (article_id, title, text)):
                    raise Invalid("the article needs 'id', 'title' and 'body'")
                questions = _strings(draft.get("questions"), "questions") or found["questions"]
                edit = functools.partial(
                    write_article,
                    faq.faq_dir,
                    str(article_id),
                    str(title),
                    str(text),
                    questions,
                    str(draft.get("category") or ""),
                )
            try:
                await loop.run_in_executor(None, edit)
            except ArticleError as error:
                raise (Conflict if "exists" in str(error) else Invalid)(str(error)) from None
            refresh = functools.partial(_refresh_index, faq)
            reembedded = await loop.run_in_executor(None, refresh)
        members = {_key(q) for q in found["questions"]}
        resolved = 0
        async with ctx.sessions() as db:
            rows = await db.scalars(select(KnowledgeGap).where(KnowledgeGap.resolved_at.is_(None)))
            now = utcnow()
            for gap in rows:
                if _key(gap.query) in members:
                    gap.resolved_at, gap.resolution = now, f"{action}:{article_id or ''}"
                    resolved += 1
            await db.commit()
    return {
        "cluster": cluster_id,
        "action": str(action),
        "article_id": article_id,
        "resolved_reports": resolved,
        "reembedded": reembedded,
    }


def _refresh_index(faq: FaqSettings) -> list[str]:
    """Builds the next generation; unchanged articles reuse their vectors."""
    load_articles(faq.faq_dir)  # a broken base fails here, before the index is touched
    encoder = _encoder(faq.encoder, faq.encoder_threads)
    return build_from_directory(faq.faq_dir, faq.index_dir, encoder, faq.hnsw_threshold).reembedded
