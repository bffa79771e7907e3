"""The customer channels the Rasa server speaks: website widget, Telegram, SMS.

One module per channel (SMS is a package: one module per transport, Twilio
and SMPP, over the SMS rules they share); each is registered in
`credentials.yml` by its module path and reads its own settings from
`bot.config.load().channels`, so a channel without credentials is off (and
says so once in the log) instead of failing Rasa's start-up. Sender ids are
namespaced per channel (`web:`, `tg:`, `sms:`) so two channels can never share
a conversation.
"""
