"""Working hours of the people behind the bot, and when they are next back.

Configured as text (`DESK_HOURS`), because a company changes its shifts more
often than its code: "mon-fri 09:00-20:00; sat 10:00-16:00" in `DESK_TIMEZONE`.
A day not named is a day off; "24:00" ends a shift at midnight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_RU = ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье")
ZONE_LABELS = {"Europe/Moscow": "МСК"}
_PART = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s*(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)


class HoursError(ValueError):
    """The working-hours setting cannot be read."""


@dataclass(frozen=True)
class Shift:
    weekday: int
    start_min: int
    end_min: int


def _minutes(text: str, setting: str) -> int:
    hours, minutes = (int(x) for x in text.split(":"))
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 24 * 60:
        raise HoursError(f"DESK_HOURS={setting!r}: {text} is not a time of day")
    return hours * 60 + minutes


@dataclass(frozen=True)
class WorkingHours:
    shifts: tuple[Shift, ...]
    zone: ZoneInfo

    @classmethod
    def parse(cls, setting: str, timezone: str) -> WorkingHours:
        try:
            zone = ZoneInfo(timezone)
        except (KeyError, ValueError) as error:
            raise HoursError(f"DESK_TIMEZONE={timezone!r} is not a known time zone") from error
        shifts: list[Shift] = []
        for part in filter(None, (p.strip().lower() for p in setting.split(";"))):
            match = _PART.match(part)
            if not match or match["first"] not in DAYS or (match["last"] or "mon") not in DAYS:
                raise HoursError(
                    f"DESK_HOURS={setting!r}: cannot read {part!r}; write e.g. 'mon-fri 09:00-18:00'"
                )
            first = DAYS.index(match["first"])
            last = DAYS.index(match["last"]) if match["last"] else first
            start, end = _minutes(match["start"], setting), _minutes(match["end"], setting)
            if end <= start:
                raise HoursError(f"DESK_HOURS={setting!r}: {part!r} ends before it starts")
            day = first
            while True:
                shifts.append(Shift(day, start, end))
                if day == last:
                    break
                day = (day + 1) % 7
        return cls(tuple(shifts), zone)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(s.weekday == local.weekday() and s.start_min <= minute < s.end_min for s in self.shifts)

    def next_opening(self, moment: datetime) -> datetime | None:
        """The start of the next shift after `moment` (None if there are no shifts)."""
        local = moment.astimezone(self.zone)
        best: datetime | None = None
        for days_ahead in range(8):
            day = (local + timedelta(days=days_ahead)).date()
            for shift in self.shifts:
                if shift.weekday != day.weekday() or shift.start_min >= 24 * 60:
                    continue
                start = datetime.combine(day, time(shift.start_min // 60, shift.start_min % 60), self.zone)
                if start > local and (best is None or start < best):
                    best = start
            if best is not None:
                return best
        return None

    def describe_opening(self, moment: datetime) -> str:
        """ "завтра в 08:00" — for a customer, in the desk's time zone."""
        opening = self.next_opening(moment)
        if opening is None:
            return "в ближайшее рабочее время"
        local = moment.astimezone(self.zone)
        days = (opening.date() - local.date()).days
        clock = opening.strftime("%H:%M")
        if days == 0:
            when = f"сегодня в {clock}"
        elif days == 1:
            when = f"завтра в {clock}"
        else:
            when = f"в {DAY_NAMES_RU[opening.weekday()]} в {clock}"
        return f"{when} {ZONE_LABELS.get(self.zone.key, f'({self.zone.key})')}"
