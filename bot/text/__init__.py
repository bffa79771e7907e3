"""Customer text, standard library only and Python 3.10 (the Rasa NLU
components import it inside .venv/rasa): `values` finds what customers write
(as spans, for the NLU component, the forms and the agent's case), `redact`
masks what must never be stored or shown, `keyboard` and `spoken_numbers`
undo a wrong layout, transliteration and dictated digits before the text is
understood."""
