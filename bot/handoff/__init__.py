"""The contract between the bot and the agent desk.

`vocabulary` names what both sides must spell alike (handoff reasons,
priorities, ticket kinds and statuses, with the Russian labels people read),
`payload` is the shape of what travels between them, `case` builds the handoff
payload from a conversation, and `client` is how the bot's actions call the
desk.

Everything but `client` is the standard library only, so both virtual
environments (Rasa's and the action server's) can import it; `client` needs
aiohttp and is for the action server. Nothing is imported here.
"""
