"""The value a correction carries: the one that differs from what was registered."""

from __future__ import annotations

from actions.repair import corrected


def test_the_new_value_is_taken_when_the_old_one_is_named_too() -> None:
    assert corrected(["2290", "2209"], "2290") == "2209"
    assert corrected(["2209", "2290"], "2290") == "2209"


def test_only_the_new_value() -> None:
    assert corrected(["5521"], "5512") == "5521"


def test_nothing_new_is_no_correction() -> None:
    assert corrected(["5512"], "5512") is None
    assert corrected([], "5512") is None
