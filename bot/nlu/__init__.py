"""Natural-language understanding: evaluation helpers now, custom Rasa NLU
components later (they load inside .venv/rasa, so no PyTorch here)."""
