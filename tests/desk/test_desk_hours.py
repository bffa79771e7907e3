"""The working hours: what a customer is told about when people are back."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.desk.hours import HoursError, WorkingHours

MONDAY_NOON_MSK = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def test_working_hours_say_when_people_are_back() -> None:
    hours = WorkingHours.parse("mon-fri 09:00-18:00; sat 10:00-14:00", "Europe/Moscow")
    assert hours.is_open(MONDAY_NOON_MSK)
    friday_night = datetime(2026, 11, 27, 19, 0, tzinfo=timezone.utc)  # 22:00 MSK
    assert not hours.is_open(friday_night)
    assert hours.describe_opening(friday_night) == "завтра в 10:00 МСК"
    saturday_evening = datetime(2026, 11, 28, 15, 0, tzinfo=timezone.utc)
    assert hours.describe_opening(saturday_evening) == "в понедельник в 09:00 МСК"


@pytest.mark.parametrize(
    "setting", ["mon-fri 9-18", "someday 09:00-18:00", "mon 18:00-09:00", "mon 25:00-26:00"]
)
def test_unreadable_working_hours_are_refused_with_the_setting_named(setting: str) -> None:
    with pytest.raises(HoursError, match="DESK_HOURS"):
        WorkingHours.parse(setting, "Europe/Moscow")
