"""The value a correction carries: the one that differs from what was registered."""

from __future__ import annotations

from actions.repair import corrected, flow_for_data


def test_the_new_value_is_taken_when_the_old_one_is_named_too() -> None:
    assert corrected(["2290", "2209"], "2290") == "2209"
    assert corrected(["2209", "2290"], "2290") == "2209"


def test_only_the_new_value() -> None:
    assert corrected(["5521"], "5512") == "5521"


def test_nothing_new_is_no_correction() -> None:
    assert corrected(["5512"], "5512") is None
    assert corrected([], "5512") is None


def test_data_that_belongs_to_the_flow_ranked_next_starts_it() -> None:
    ranking = [{"name": "inform", "confidence": 0.4}, {"name": "block_card", "confidence": 0.3}]
    entities = [{"entity": "card_last4", "value": "3381"}]
    assert flow_for_data(ranking, entities) == ("block_card_form", "card_last4", "3381")


def test_bare_data_without_a_flow_stays_unclear() -> None:
    ranking = [{"name": "inform", "confidence": 0.6}, {"name": "faq", "confidence": 0.2}]
    assert flow_for_data(ranking, [{"entity": "card_last4", "value": "3381"}]) is None
    assert flow_for_data([{"name": "inform"}, {"name": "block_card", "confidence": 0.3}], []) is None
