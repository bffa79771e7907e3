"""Rasa NLU component: the rule-based values of `bot.text.values` on every message.

Amounts (with currency), dates (ISO, "вчера" resolved against today in the
desk's time zone), card last-four digits, ticket numbers, phones and e-mails.
Runs inside .venv/rasa; needs no training, so adding a pattern never changes
the model's intent quality. A thin adapter: the rules live in `bot.text`, where
the forms and the agent's case use them too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot import config
from bot.text.values import find_values


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class SupportEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone

    @classmethod
    def create(
        cls,
        config_: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SupportEntityExtractor:
        return cls(ZoneInfo(config.load().desk.timezone))

    def process(self, messages: list[Message]) -> list[Message]:
        today = datetime.now(self._zone).date()
        for message in messages:
            found = [
                {
                    "entity": f.entity,
                    "start": f.start,
                    "end": f.end,
                    "value": f.value,
                    "confidence": 1.0,
                    "extractor": self.__class__.__name__,
                    **({"additional_info": f.info} if f.info else {}),
                }
                for f in find_values(str(message.get(TEXT) or ""), today)
            ]
            if found:
                message.set(ENTITIES, [*message.get(ENTITIES, []), *found], add_to_output=True)
        return messages
