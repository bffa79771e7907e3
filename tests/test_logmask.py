"""Every log line masked (bot/logmask.py): messages, their arguments,
exception texts and the request line of an access log, through whatever
handler the process has."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot import logmask


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    logmask.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s %(request)s"))
    logger = logging.getLogger("sanic.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_card_numbers_codes_and_tokens_never_reach_a_log(log: io.StringIO) -> None:
    logger = logging.getLogger("sanic.access")
    logger.info(
        "user said %s", "карта 4111 1111 1111 1111, код из смс 4821", extra={"request": "GET /x?token=abc"}
    )
    logger.info(
        "GET /conversations/a/tracker?token=s3cret&x=1 Bearer eyJhbGciOi /bot123:AAE-secret/sendMessage",
        extra={"request": "POST /model/parse?token=s3cret"},
    )
    try:
        raise ValueError("bad card 4111111111111111")
    except ValueError:
        logger.exception("failed", extra={"request": ""})
    written = log.getvalue()
    for secret in ("4111 1111", "4111111111111111", "4821", "s3cret", "abc", "eyJhbGciOi", "AAE-secret"):
        assert secret not in written, written
    assert "•••• 1111" in written and "token=•••" in written


def test_install_is_idempotent() -> None:
    logmask.install()
    factory = logging.getLogRecordFactory()
    logmask.install()
    assert logging.getLogRecordFactory() is factory
