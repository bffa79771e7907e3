"""When a recognised urgent request goes to a person at once, and when the bot
asks first.

A worry about money ("списали два раза", "что за 199 ₽ каждый месяц") sits
close to fraud and disputes in the NLU's space; handing it to a person at once
costs an agent and leaves the customer's question unanswered. So fraud, a
disputed operation and a data leak go straight to a person only when the NLU
is confident or the message says so in so many words (the cues below);
otherwise the bot asks one question with the urgent option first. Bereavement
and threats to go to a regulator or court always go straight: on the dev
splits nothing else was ever taken for them, and asking would hurt.

The threshold was chosen on three dev splits of the training data
(bench/nlu_calibrate.py --save; docs/benchmarks.md, "Conversations"): at 0.30
with the cues, 96% of true fraud reports (67/70) still go straight to a
person while 5 of the 9 messages wrongly read as fraud get the question.
Standard library only.
"""

from __future__ import annotations

import re

CONFIDENT = 0.30

# Words that name the urgent situation outright.
CUES: dict[str, re.Pattern[str]] = {
    "report_fraud": re.compile(
        r"мошен|обман|разв[её]л|развели|афер|украл|укради|похитил|выманил|взлом|фишинг|поддел|фейк|лже"
        r"|якобы|представил|код\w* из (?:смс|sms|сообщ)|cvv|продиктов|безопасн\w* сч|незнаком|чуж\w*"
        r"|не переводил|ничего не делал|ничего не переводил|ничего не покупал",
        re.IGNORECASE,
    ),
    "dispute_transaction": re.compile(
        r"не совершал|не делал|не моя|не мой|не покупал|не оплачивал|без моего|оспор|чарджб|chargeback"
        r"|диспут|опротест",
        re.IGNORECASE,
    ),
    "data_leak": re.compile(r"утечк|утекл|слив|слили|персональн|разглаш|152-?фз", re.IGNORECASE),
}
ALWAYS_STRAIGHT = frozenset({"bereavement", "legal_threat"})
URGENT_INTENTS = frozenset({*CUES, *ALWAYS_STRAIGHT})


def goes_straight(intent: str, confidence: float, text: str) -> bool:
    """Whether this urgent request goes to a person without a question first."""
    if intent in ALWAYS_STRAIGHT or confidence >= CONFIDENT:
        return True
    cue = CUES.get(intent)
    return cue is None or cue.search(text) is not None
