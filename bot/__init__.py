"""The support assistant's own code, shared by the Rasa server, the action
server and the agent desk. One subpackage per concern; see docs/architecture.md."""
