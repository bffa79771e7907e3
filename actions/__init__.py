"""Custom actions for the Rasa server, run by the rasa-sdk action server.

Actions stay thin: they read the tracker, call into `bot/`, and answer with the
domain's responses so that all customer-facing text lives in domain.yml.
"""
