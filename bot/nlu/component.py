"""The base of the pipeline steps that learn nothing.

Rasa asks every graph component for the same four things: a default
configuration, a constructor from the model storage, a pass over the training
data and a pass over messages. The normaliser, the lemmatizer, the clause
splitter and collector and the gibberish rule learn nothing: they are built
from their configuration alone and leave the training data as it is, so those
three answers live here once and each step only says what it does to a message.

Runs inside .venv/rasa (imports rasa).
"""

from __future__ import annotations

from typing import Any, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

_Step = TypeVar("_Step", bound="StatelessComponent")


class StatelessComponent(GraphComponent):  # type: ignore[misc]
    """A pipeline step built from its configuration, with nothing to train."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def warm_up(cls) -> None:
        """Loads what the first message would otherwise wait for (a dictionary)."""

    @classmethod
    def create(
        cls: type[_Step],
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> _Step:
        cls.warm_up()
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples stay as written (see each step for why)."""
        return training_data
