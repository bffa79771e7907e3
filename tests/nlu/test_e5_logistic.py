"""The logistic blend on the e5 vector: trained on a few messages, stored and
loaded back as plain arrays, it moves the ranking towards the intent whose
examples the message is near in meaning, by its configured weight, and leaves
a message without a vector (a button's payload) alone. Runs the component in
.venv/rasa with hand-made vectors, so no encoder and no DIET is needed."""

from __future__ import annotations

import textwrap

from tests.rasa_venv import needs_rasa_venv, run_script

SCRIPT = textwrap.dedent(
    """
    import tempfile
    from pathlib import Path

    import numpy as np
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.e5_logistic import E5LogisticBlend

    rng = np.random.default_rng(0)
    centres = {"thank": rng.normal(size=8), "greet": rng.normal(size=8), "out_of_scope": rng.normal(size=8)}

    def message(vector, intent=None):
        m = Message({TEXT: "x", **({INTENT: intent} if intent else {})})
        m.add_features(Features(vector.reshape(1, -1), "sentence", TEXT, "E5SentenceFeaturizer"))
        return m

    examples = [message(c + 0.3 * rng.normal(size=8), i) for i, c in centres.items() for _ in range(10)]
    config = {**E5LogisticBlend.get_default_config(), "weight": 0.4}
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalModelStorage(Path(tmp))
        resource = Resource("logistic")
        E5LogisticBlend(config, storage, resource).train(TrainingData(examples))
        blend = E5LogisticBlend.load(config, storage, resource, None)

        # DIET says out_of_scope 0.6 / thank 0.4; the vector sits among the thank examples.
        ranking = [{"name": "out_of_scope", "confidence": 0.6}, {"name": "thank", "confidence": 0.4}]
        near_thank = message(centres["thank"])
        near_thank.set(INTENT_RANKING_KEY, ranking)
        near_thank.set(INTENT, ranking[0])
        (out,) = blend.process([near_thank])
        p = blend.distribution(centres["thank"] / np.linalg.norm(centres["thank"]))
        assert max(p, key=p.get) == "thank" and abs(sum(p.values()) - 1) < 1e-5
        top = out.get(INTENT)
        assert top["name"] == "thank", out.get(INTENT_RANKING_KEY)
        assert abs(top["confidence"] - (0.6 * 0.4 + 0.4 * p["thank"])) < 1e-5
        assert len(out.get(INTENT_RANKING_KEY)) == 2

        # No e5 vector (a payload): the ranking stays as DIET left it.
        bare = Message({TEXT: "/greet"})
        bare.set(INTENT_RANKING_KEY, ranking)
        (same,) = blend.process([bare])
        assert same.get(INTENT_RANKING_KEY) == ranking
    print("ok")
    """
)


@needs_rasa_venv
def test_logistic_blend_moves_the_ranking_towards_the_nearby_intent() -> None:
    run_script(SCRIPT)
