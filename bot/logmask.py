"""Every log line of every process masked: card numbers, codes and passwords,
phones and e-mails (`bot.text.redact.mask_contacts`), and the secrets a URL or a header can carry (Rasa's
`?token=`, a bearer token, the Telegram bot token inside its API URLs).

Masking happens when a record is made (a log record factory), so it holds
whatever handlers Rasa, rasa-sdk, Sanic or aiohttp add later; Sanic's access
log, whose request line travels in an extra field, gets a filter of its own.
Installed by `install()`: the action server (`actions/__init__.py`) and the
desk (`bot.desk.__main__`) call it, and Rasa reads `logging.yml`
(`rasa run --logging-config-file`, see bin/rasa-server), whose filter installs
it when built. Standard library only, Python 3.10 and 3.11.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bot.text.redact import mask_contacts

_SECRETS_IN_LINES = (
    (re.compile(r"([?&](?:token|auth_token|access_token|secret|key)=)[^&\s\"'#]+", re.IGNORECASE), r"\1•••"),
    (re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE), r"\1•••"),
    (re.compile(r"(/bot)\d+:[A-Za-z0-9_-]+"), r"\1•••"),
    (re.compile(r"(X-Telegram-Bot-Api-Secret-Token['\"]?[:=]\s*['\"]?)[^\s'\",}]+", re.IGNORECASE), r"\1•••"),
)
# Extra fields some loggers carry the text in (Sanic's access log: `request`).
_EXTRA_FIELDS = ("request", "host")
_ACCESS_LOGGERS = ("sanic.access", "aiohttp.access")


def mask_line(line: str) -> str:
    """A log line with personal data and secrets masked."""
    for pattern, replacement in _SECRETS_IN_LINES:
        line = pattern.sub(replacement, line)
    return mask_contacts(line)


def mask_record(record: logging.LogRecord) -> None:
    """Masks a record in place: its message (formatted once here when masking
    changes it), its exception text and the extra fields access logs use."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: the handler reports it as usual
        return
    masked = mask_line(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_line(logging.Formatter().formatException(record.exc_info))
    for name in _EXTRA_FIELDS:
        value = record.__dict__.get(name)
        if isinstance(value, str):
            record.__dict__[name] = mask_line(value)


class MaskingFilter(logging.Filter):
    """The filter form, for handlers and for `logging.yml`; building it also
    installs the record factory, so a logging config file is enough."""

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        install()

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_installed = False


def install() -> None:
    """Masks every record this process makes from now on (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        mask_record(record)
        return record

    logging.setLogRecordFactory(masked_record)
    for name in _ACCESS_LOGGERS:
        logging.getLogger(name).addFilter(_mask_and_keep)


def _mask_and_keep(record: logging.LogRecord) -> bool:
    """A logger filter (a callable is enough) for the extras of access logs."""
    mask_record(record)
    return True
