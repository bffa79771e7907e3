"""What running the bot in production needs from every process: JSON logs that
carry the conversation id (logs.py), Prometheus metrics and readiness of the
action server (actions.py) and the desk (bot/desk/operations.py)."""
