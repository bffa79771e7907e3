"""SMS, whichever transport carries it: Twilio's webhook and REST API
(`twilio`) or an operator's SMSC over SMPP (`smpp`).

The SMS rules live here once and serve both transports: what fits in a
message (`text`), who opted out (`opt_outs`), numbered options for buttons
(`menus`), and the output channel and incoming-message handling that apply
them (`rules`). A customer is `sms:<number digits>` on either transport, so
one conversation and one opt-out whichever route a message took.
"""
