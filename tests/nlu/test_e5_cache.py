"""The e5 featurizer's cache and its payload shortcut change no vector: a
repeated text gets exactly the vector a fresh encoding gives, without a second
encoder pass, and a button's payload costs none. Runs the component in
.venv/rasa (where Rasa lives) in one subprocess."""

from __future__ import annotations

import textwrap

from tests.rasa_venv import needs_rasa_venv, run_script

SCRIPT = textwrap.dedent(
    """
    import numpy as np
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu import message_vector
    from bot.nlu.e5_featurizer import E5SentenceFeaturizer

    def featurizer(**config):
        return E5SentenceFeaturizer({**E5SentenceFeaturizer.get_default_config(), **config}, "e5")

    def sentence(message):
        return message.get_dense_features(TEXT)[1].features.reshape(-1)

    cached, plain = featurizer(scale=5.0), featurizer(scale=5.0, cache_size=0)
    calls = []
    encode = cached._encode
    cached._encode = lambda texts: calls.append(list(texts)) or encode(texts)

    first = cached.process([Message({TEXT: "спасибо"}), Message({TEXT: "как сменить  пароль"})])
    again = cached.process([Message({TEXT: " спасибо "}), Message({TEXT: "как сменить пароль"})])
    fresh = plain.process([Message({TEXT: "спасибо"}), Message({TEXT: "как сменить пароль"})])
    assert calls == [["спасибо", "как сменить пароль"]], calls
    for a, b, c in zip(first, again, fresh):
        assert np.array_equal(sentence(a), sentence(b)) and np.array_equal(sentence(a), sentence(c))
        assert a.get(message_vector.PARSE_KEY) == b.get(message_vector.PARSE_KEY) == c.get(message_vector.PARSE_KEY)

    # A button's payload: a zero vector of the right size, nothing shared, no encoding.
    calls.clear()
    (button,) = cached.process([Message({TEXT: '/faq{"faq_article_id": "refund"}'})])
    assert calls == [] and sentence(button).shape == (384,) and not sentence(button).any()
    assert button.get(message_vector.PARSE_KEY) is None

    # Training data is encoded as before and does not fill the cache.
    small = featurizer(cache_size=2)
    small.process_training_data(TrainingData([Message({TEXT: t}) for t in ("да", "нет", "/start")]))
    assert len(small._cache) == 0
    small.process([Message({TEXT: t}) for t in ("да", "нет", "ага")])
    assert list(small._cache) == ["нет", "ага"]
    print("ok")
    """
)


@needs_rasa_venv
def test_cached_and_payload_vectors_match_a_fresh_encoding() -> None:
    run_script(SCRIPT)
