"""Values and secrets in free text: `values` finds what customers write (as
spans, for the NLU component, the forms and the agent's case), `redact` masks
what must never be stored or shown. Standard library only and Python 3.10:
the Rasa NLU component imports it inside .venv/rasa."""
