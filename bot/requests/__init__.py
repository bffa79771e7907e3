"""The customer's side of a request to support (a ticket): what the bot asks,
how it reads the answers, and what it files at the desk.

What the seeds call a good request: its type (a question about the system, an
error, a suggestion), a topic, a description with the steps, the exact error
text, the app or browser version, when it happened, screenshots and a way to
reach the customer. `fields` names them and decides which a request needs,
`extract` finds them in free text (several at once in a long first message),
`answers` reads one answer to one question (a re-ask after an unclear answer,
never a third ask), `ticket` turns the collected slots into what the desk
files, and `ownership` is the one-time code that proves a request is yours from
another channel. Standard library only: the actions in
`actions/report_problem.py` are thin adapters over these modules.
"""
