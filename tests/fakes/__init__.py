"""Local stand-ins for the outside providers (Telegram Bot API, Twilio, an
SMSC), speaking their real protocols over real sockets on 127.0.0.1."""
