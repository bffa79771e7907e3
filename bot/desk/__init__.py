"""The agent desk: where a person takes a conversation over from the bot.

`rasa_broker` is the Rasa event broker that streams the customer's messages
here, and the rest is the desk service itself (`python -m bot.desk`): store,
queue, API, console. What the bot sends and how it calls the desk is the
contract in `bot.handoff`.

Nothing is imported here, so the Rasa process (another venv) can load
`bot.desk.rasa_broker` without the desk's dependencies.
"""
