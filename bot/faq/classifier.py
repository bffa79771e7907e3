"""A light model trained at index time on the articles' own texts.

Nearest-neighbour similarity only asks "which single phrasing is closest";
a multinomial logistic regression over the same vectors learns which
directions of the embedding space separate one article from its neighbours
(e.g. the PIN article from the 2FA one, both about "codes"). It is trained on
the articles' titles, `questions:` and passages — never on the evaluation
sets — in well under a second, and stored as two arrays, so no pickles and no
Rasa retraining are involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

# Beyond this many articles a softmax over every article per query stops being
# "light"; the dense and lexical signals then carry the ranking alone.
MAX_CLASSES = 2_000
REGULARIZATION_C = 30.0


@dataclass(frozen=True)
class Classifier:
    """Linear softmax over article ids: scores = q @ coef.T + intercept."""

    ids: tuple[str, ...]
    coef: npt.NDArray[np.float32]
    intercept: npt.NDArray[np.float32]

    def log_proba(self, queries: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Log-probabilities, one row per query, one column per article id."""
        logits: npt.NDArray[np.float32] = queries @ self.coef.T + self.intercept
        logits = logits - logits.max(axis=1, keepdims=True)
        result: npt.NDArray[np.float32] = (logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))).astype(
            np.float32
        )
        return result

    def save(self, path: Path) -> None:
        with path.open("wb") as handle:
            np.savez(handle, ids=np.array(self.ids), coef=self.coef, intercept=self.intercept)

    @classmethod
    def load(cls, path: Path) -> Classifier:
        with np.load(path, allow_pickle=False) as data:
            return cls(tuple(str(item) for item in data["ids"]), data["coef"], data["intercept"])


def train_classifier(
    vectors: npt.NDArray[np.float32], labels: npt.NDArray[np.str_], ids: Sequence[str]
) -> Classifier | None:
    """Fits the model, or returns None where it would not be light or useful."""
    if len(ids) < 2 or len(ids) > MAX_CLASSES or len(vectors) == 0:
        return None
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=REGULARIZATION_C, max_iter=3000)
    model.fit(vectors, labels)
    weights, biases = model.coef_, model.intercept_
    if len(model.classes_) == 2:
        # sklearn keeps one row for two classes: p(second) = sigmoid(w·x + b),
        # i.e. logits (0, w·x + b).
        weights = np.vstack([np.zeros_like(weights[0]), weights[0]])
        biases = np.array([0.0, biases[0]])
    order = {str(label): row for row, label in enumerate(model.classes_)}
    coef = np.zeros((len(ids), vectors.shape[1]), dtype=np.float32)
    # An article without any vector cannot be predicted: a very low intercept.
    intercept = np.full(len(ids), -1e3, dtype=np.float32)
    for column, article_id in enumerate(ids):
        if article_id in order:
            coef[column] = weights[order[article_id]]
            intercept[column] = biases[order[article_id]]
    return Classifier(tuple(ids), coef, intercept)
