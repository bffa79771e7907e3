"""Custom actions for the Rasa server, run by the rasa-sdk action server.

Actions stay thin: they read the tracker, call into `bot/`, and answer with the
domain's responses so that all customer-facing text lives in domain.yml.
"""

from bot import logmask

# Every log line of the action server masked (bot/logmask.py): rasa-sdk has
# no logging config file, and this package is what it imports first.
logmask.install()
