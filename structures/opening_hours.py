"""Opening hours ("horaires d'accueil") in OpenStreetMap `opening_hours` format: what they say.

Parsing and evaluation are delegated to `opening-hours-py` (a Rust parser and evaluator that
embeds the calendar of French public holidays for metropolitan France). This module adds what
the site needs on top of it:

- `parse()`: the parsed hours, None when they cannot be read;
- `weekly_intervals()`, `closed_on_public_holidays()`, `open_on_public_holidays()`: a
  representation of the regular week that can be stored and filtered on in SQL;
- `reference_year()`: what a year of dates says about some hours (for the French texts of
  structures.hours_display).

Hours that cannot be parsed are never an error: they read as None.
Expressions using the fallback separator `||` are treated as unparseable, because the library
evaluates them wrongly (it stops finding the next opening after the first closing).
Alsace-Moselle's extra public holidays (Good Friday, 26 December) are not taken into account:
the library only knows the national calendar.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, ParserError, State

PARIS = ZoneInfo("Europe/Paris")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

# The "regular week" is derived from a whole year of dates, so that seasons and week-of-month
# rules (`We[1,3]`) are seen.
REFERENCE_WEEKS = 53

COMMENT_RE = re.compile(r'"([^"]*)"')
# Hours made of comments only, or "unknown": no rule to read (the library would read a comment as "open").
NO_RULES = ("", "unknown", "24/7 unknown")
PUBLIC_HOLIDAY_RE = re.compile(r"\bPH\b")


class Range(NamedTuple):
    """One range within a day, in minutes since midnight."""

    start: int
    end: int
    comment: str
    known: bool = True  # False for an "unknown" range: neither open nor closed


def weekly_intervals(hours: str | None, *, start: date | None = None) -> list[tuple[int, int]] | None:
    """Minutes-of-week intervals [start, end) when the place may be open, Monday 00:00 being 0.

    A minute of a weekday is included when the place is open at that time on at least one such
    weekday of the coming year (`start`, default today, to 53 weeks later), public holidays left
    aside. It is a superset meant for SQL pre-filtering: `We[1,3] 09:00-12:00` counts as open
    every Wednesday morning, `Jul-Aug` hours count as open all year, a closure on a specific date
    is ignored. Intervals never cross Sunday midnight (they are split at 10080). None when
    unparseable. "Unknown" periods (`Sa unknown`) are not counted as open.
    """
    year = reference_year(hours, start)
    return None if year is None else list(year.weekly)


def closed_on_public_holidays(hours: str | None, *, start: date | None = None) -> bool | None:
    """True when the hours close the place on every public holiday (`PH off`); None when unparseable."""
    year = reference_year(hours, start)
    if year is None:
        return None
    return year.mentions_public_holidays and not any(year.public_holidays)


def open_on_public_holidays(hours: str | None, *, start: date | None = None) -> list[tuple[int, int]] | None:
    """Minutes-of-day intervals [start, end) when the place may be open on a public holiday.

    Only for hours with public holidays rules (`PH 10:00-12:00` gives [(600, 720)], `PH off`
    gives []). None when unparseable or when holidays follow the weekly schedule: use
    `weekly_intervals()` then.
    """
    year = reference_year(hours, start)
    if year is None or not year.mentions_public_holidays:
        return None
    return _merge((range_.start, range_.end) for ranges in year.public_holidays for range_ in ranges)


def parse(hours: str | None, *, country: str | None = "FR", timezone: ZoneInfo | None = PARIS) -> OpeningHours | None:
    if not hours or not hours.strip():
        return None
    try:
        oh = OpeningHours(hours.strip(), timezone=timezone, country=country)
    except ParserError:
        return None
    if "||" in COMMENT_RE.sub("", str(oh)):
        return None
    return oh


@dataclass(frozen=True)
class ReferenceYear:
    """What a year of dates says about some hours, kept small since it is cached."""

    weekly: tuple[tuple[int, int], ...]  # as returned by weekly_intervals()
    unknown: bool  # some ranges are "unknown"
    # Opening and unknown ranges seen on each (weekday, rank of that weekday in the month), holidays aside.
    by_rank: dict[tuple[int, int], tuple[tuple[Range, ...], ...]]
    mentions_public_holidays: bool
    public_holidays: tuple[tuple[Range, ...], ...]  # distinct opening ranges seen on public holidays


def gives_rules(hours: str) -> bool:
    """Whether the hours say when the place opens (not only comments such as "Horaires non communiqués")."""
    return " ".join(COMMENT_RE.sub("", hours).split()).lower() not in NO_RULES


def reference_year(hours: str | None, start: date | None) -> ReferenceYear | None:
    # Hours without rules tell nothing of the week: neither open (what the library would say) nor closed.
    if not hours or not gives_rules(hours):
        return None
    start = start or datetime.now(PARIS).date()
    return _evaluate_year(hours.strip(), start - timedelta(days=start.weekday()))


@lru_cache(maxsize=1024)
def _evaluate_year(hours: str, start: date) -> ReferenceYear | None:
    # Cached: this evaluates a whole year (about 2 ms) and imports see the same strings often.
    # Evaluated in naive local time: minutes of day are wall-clock minutes, whatever the DST.
    with_holidays = parse(hours, timezone=None)
    without_holidays = parse(hours, country=None, timezone=None)
    if with_holidays is None or without_holidays is None:
        return None
    begin = datetime.combine(start, time.min)
    end = begin + timedelta(weeks=REFERENCE_WEEKS)
    days = _daily_ranges(without_holidays, begin, end)
    by_rank: dict[tuple[int, int], set[tuple[Range, ...]]] = defaultdict(set)
    for day in (start + timedelta(days=n) for n in range(7 * REFERENCE_WEEKS)):
        by_rank[day.weekday(), (day.day - 1) // 7 + 1].add(days.get(day, ()))
    holidays = _daily_ranges(OpeningHours("PH", country="FR"), begin, end)
    return ReferenceYear(
        weekly=tuple(
            _merge(
                (day.weekday() * MINUTES_PER_DAY + range_.start, day.weekday() * MINUTES_PER_DAY + range_.end)
                for day, ranges in days.items()
                for range_ in ranges
                if range_.known
            )
        ),
        unknown=any(not range_.known for ranges in days.values() for range_ in ranges),
        by_rank={key: tuple(schedules) for key, schedules in by_rank.items()},
        mentions_public_holidays=bool(PUBLIC_HOLIDAY_RE.search(COMMENT_RE.sub("", str(with_holidays)))),
        # Opening ranges only: an unknown holiday counts as closed, as for the search.
        public_holidays=tuple(
            {
                tuple(
                    range_ for range_ in _daily_ranges(with_holidays, *_day_bounds(day)).get(day, ()) if range_.known
                )
                for day in holidays
            }
        ),
    )


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


def _daily_ranges(oh: OpeningHours, begin: datetime, end: datetime) -> dict[date, tuple[Range, ...]]:
    """Open and unknown ranges of each date between `begin` and `end`, split at midnight."""
    days: dict[date, list[Range]] = defaultdict(list)
    for start, stop, state, comment in oh.intervals(begin, end):
        if state == State.CLOSED:
            continue
        known = state == State.OPEN
        day, first = start.date(), start.hour * 60 + start.minute
        while day < stop.date():
            days[day].append(Range(first, MINUTES_PER_DAY, comment, known))
            day, first = day + timedelta(days=1), 0
        if (last := stop.hour * 60 + stop.minute) > first:
            days[day].append(Range(first, last, comment, known))
    return {day: tuple(ranges) for day, ranges in days.items()}


def _merge(intervals) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=64)
def is_public_holiday(day: date) -> bool:
    """A French (metropolitan) public holiday, from the library's calendar."""
    return bool(OpeningHours("PH", timezone=PARIS, country="FR").is_open(datetime.combine(day, time(12), PARIS)))
