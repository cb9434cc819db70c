"""Opening hours ("horaires d'accueil") in OpenStreetMap `opening_hours` format.

Parsing and evaluation are delegated to `opening-hours-py` (a Rust parser and evaluator that
embeds the calendar of French public holidays for metropolitan France). This module adds what
the site needs on top of it:

- `opening_status()` / `is_open_today()`: state at a given instant in Europe/Paris, with a French
  label ("Ouvert maintenant — ferme à 17 h", "Fermé — ouvre mardi à 9 h");
- `week_description()`: the week in French, for the detail page;
- `weekly_intervals()`, `closed_on_public_holidays()`, `open_on_public_holidays()`: a
  representation of the regular week that can be stored and filtered on in SQL.

Hours that cannot be parsed are never an error: the status is unknown and callers show `raw`.
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
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, ParserError, State

PARIS = ZoneInfo("Europe/Paris")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

# How far to look for the next opening or closing.
STATUS_HORIZON = timedelta(days=366)
# The "regular week" is derived from a whole year of dates, so that seasons and week-of-month
# rules (`We[1,3]`) are seen.
REFERENCE_WEEKS = 53

WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]

COMMENT_RE = re.compile(r'"[^"]*"')
PUBLIC_HOLIDAY_RE = re.compile(r"\bPH\b")

# One opening range within a day: start and end in minutes since midnight, and its comment.
Range = tuple[int, int, str]


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool | None  # None when the hours are unparseable or the state is "unknown"
    label: str  # e.g. "Fermé — ouvre mardi à 9 h"; "" when unknown
    raw: str
    parsed: bool
    comment: str = ""  # comment of the current rule, e.g. "sur rendez-vous"


def opening_status(hours: str | None, *, at: datetime) -> OpeningStatus:
    raw = hours or ""
    oh = _parse(hours)
    if oh is None:
        return OpeningStatus(is_open=None, label="", raw=raw, parsed=False)
    now = at.astimezone(PARIS)
    limit = now + STATUS_HORIZON
    intervals = oh.intervals(now, limit)
    _, end, state, comment = next(intervals, (now, limit, State.UNKNOWN, ""))
    if state == State.OPEN:
        # Successive open intervals only differ by their comment: the place stays open.
        for _, next_end, next_state, _ in intervals:
            if next_state != State.OPEN:
                break
            end = next_end
        closing = _closing_phrase(end, now=now) if end < limit else None
        label = f"Ouvert maintenant — {closing}" if closing else "Ouvert maintenant"
        return OpeningStatus(is_open=True, label=label, raw=raw, parsed=True, comment=comment)
    if state == State.CLOSED:
        opening = next((start for start, _, next_state, _ in intervals if next_state == State.OPEN), None)
        label = f"Fermé — ouvre {_when(opening, now=now)}" if opening else "Fermé"
        return OpeningStatus(is_open=False, label=label, raw=raw, parsed=True, comment=comment)
    return OpeningStatus(is_open=None, label="", raw=raw, parsed=True, comment=comment)


def is_open_today(hours: str | None, *, at: datetime) -> bool | None:
    """Whether the place is open at some point of the calendar day of `at` in Paris."""
    oh = _parse(hours)
    if oh is None:
        return None
    day = at.astimezone(PARIS).date()
    start = datetime.combine(day, time.min, tzinfo=PARIS)
    states = [state for _, _, state, _ in oh.intervals(start, start + timedelta(days=1))]
    if State.OPEN in states:
        return True
    return None if State.UNKNOWN in states else False


def week_description(hours: str | None, *, start: date | None = None) -> list[tuple[str, str]] | None:
    """The week in French: [("Lundi", "9 h – 12 h, 14 h – 17 h"), …, ("Jours fériés", "fermé")].

    None when unparseable, and when the hours are not a weekly pattern over the coming year
    (seasons, specific dates, `Mo[-1]`…): callers then show the raw string. Week-of-month rules
    are described ("9 h – 12 h, les 1er et 3e mercredis du mois"). The public holidays line is
    only given when the hours mention `PH`.
    """
    year = _reference_year(hours, start)
    if year is None:
        return None
    if any(len(schedules) > 1 for schedules in year.by_rank.values()):
        return None
    description = []
    for weekday, name in enumerate(WEEKDAYS):
        ranks: dict[tuple[Range, ...], list[int]] = defaultdict(list)
        for rank in range(1, 6):
            (schedule,) = year.by_rank[weekday, rank]
            ranks[schedule].append(rank)
        description.append((name.capitalize(), _describe_weekday(ranks, name)))
    if year.mentions_public_holidays:
        if len(year.public_holidays) != 1:
            return None
        (schedule,) = year.public_holidays
        description.append(("Jours fériés", _describe_day(schedule)))
    return description


def weekly_intervals(hours: str | None, *, start: date | None = None) -> list[tuple[int, int]] | None:
    """Minutes-of-week intervals [start, end) when the place may be open, Monday 00:00 being 0.

    A minute of a weekday is included when the place is open at that time on at least one such
    weekday of the coming year (`start`, default today, to 53 weeks later), public holidays left
    aside. It is a superset meant for SQL pre-filtering: `We[1,3] 09:00-12:00` counts as open
    every Wednesday morning, `Jul-Aug` hours count as open all year, a closure on a specific date
    is ignored. Intervals never cross Sunday midnight (they are split at 10080). None when
    unparseable. "Unknown" periods (`Sa unknown`) are not counted as open.
    """
    year = _reference_year(hours, start)
    return None if year is None else list(year.weekly)


def closed_on_public_holidays(hours: str | None, *, start: date | None = None) -> bool | None:
    """True when the hours close the place on every public holiday (`PH off`); None when unparseable."""
    year = _reference_year(hours, start)
    if year is None:
        return None
    return year.mentions_public_holidays and not any(year.public_holidays)


def open_on_public_holidays(hours: str | None, *, start: date | None = None) -> list[tuple[int, int]] | None:
    """Minutes-of-day intervals [start, end) when the place may be open on a public holiday.

    Only for hours with public holidays rules (`PH 10:00-12:00` gives [(600, 720)], `PH off`
    gives []). None when unparseable or when holidays follow the weekly schedule: use
    `weekly_intervals()` then.
    """
    year = _reference_year(hours, start)
    if year is None or not year.mentions_public_holidays:
        return None
    return _merge((range_start, range_end) for ranges in year.public_holidays for range_start, range_end, _ in ranges)


def format_time(minutes: int) -> str:
    """French time of day: 540 → "9 h", 870 → "14 h 30"."""
    hour, minute = divmod(minutes, 60)
    return f"{hour} h {minute:02d}" if minute else f"{hour} h"


def _parse(hours: str | None, *, country: str | None = "FR", timezone: ZoneInfo | None = PARIS) -> OpeningHours | None:
    if not hours or not hours.strip():
        return None
    try:
        oh = OpeningHours(hours.strip(), timezone=timezone, country=country)
    except ParserError:
        return None
    if "||" in COMMENT_RE.sub("", str(oh)):
        return None
    return oh


def _when(moment: datetime, *, now: datetime) -> str:
    moment = moment.astimezone(PARIS)
    days = (moment.date() - now.date()).days
    clock = format_time(moment.hour * 60 + moment.minute)
    if days == 0:
        return f"aujourd'hui à {clock}"
    if days == 1:
        return f"demain à {clock}"
    if days < 7:
        return f"{WEEKDAYS[moment.weekday()]} à {clock}"
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"le {day} {MONTHS[moment.month - 1]} à {clock}"


def _closing_phrase(moment: datetime, *, now: datetime) -> str | None:
    moment = moment.astimezone(PARIS)
    days = (moment.date() - now.date()).days
    if days == 0:
        return f"ferme à {format_time(moment.hour * 60 + moment.minute)}"
    if days == 1 and moment.time() == time.min:
        return "ferme à minuit"
    if days < 7:
        return f"ferme {_when(moment, now=now)}"
    return None


@dataclass(frozen=True)
class _ReferenceYear:
    """What a year of dates says about some hours, kept small since it is cached."""

    weekly: tuple[tuple[int, int], ...]  # as returned by weekly_intervals()
    # Opening ranges seen on each (weekday, rank of that weekday in the month), holidays aside.
    by_rank: dict[tuple[int, int], tuple[tuple[Range, ...], ...]]
    mentions_public_holidays: bool
    public_holidays: tuple[tuple[Range, ...], ...]  # distinct opening ranges seen on public holidays


def _reference_year(hours: str | None, start: date | None) -> _ReferenceYear | None:
    if not hours or not hours.strip():
        return None
    start = start or datetime.now(PARIS).date()
    return _evaluate_year(hours.strip(), start - timedelta(days=start.weekday()))


@lru_cache(maxsize=1024)
def _evaluate_year(hours: str, start: date) -> _ReferenceYear | None:
    # Cached: this evaluates a whole year (about 2 ms) and imports see the same strings often.
    # Evaluated in naive local time: minutes of day are wall-clock minutes, whatever the DST.
    with_holidays = _parse(hours, timezone=None)
    without_holidays = _parse(hours, country=None, timezone=None)
    if with_holidays is None or without_holidays is None:
        return None
    begin = datetime.combine(start, time.min)
    end = begin + timedelta(weeks=REFERENCE_WEEKS)
    days = _daily_ranges(without_holidays, begin, end)
    by_rank: dict[tuple[int, int], set[tuple[Range, ...]]] = defaultdict(set)
    for day in (start + timedelta(days=n) for n in range(7 * REFERENCE_WEEKS)):
        by_rank[day.weekday(), (day.day - 1) // 7 + 1].add(days.get(day, ()))
    holidays = _daily_ranges(OpeningHours("PH", country="FR"), begin, end)
    return _ReferenceYear(
        weekly=tuple(
            _merge(
                (day.weekday() * MINUTES_PER_DAY + range_start, day.weekday() * MINUTES_PER_DAY + range_end)
                for day, ranges in days.items()
                for range_start, range_end, _ in ranges
            )
        ),
        by_rank={key: tuple(schedules) for key, schedules in by_rank.items()},
        mentions_public_holidays=bool(PUBLIC_HOLIDAY_RE.search(COMMENT_RE.sub("", str(with_holidays)))),
        public_holidays=tuple({_daily_ranges(with_holidays, *_day_bounds(day)).get(day, ()) for day in holidays}),
    )


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min)
    return start, start + timedelta(days=1)


def _daily_ranges(oh: OpeningHours, begin: datetime, end: datetime) -> dict[date, tuple[Range, ...]]:
    """Open ranges of each date between `begin` and `end`, split at midnight."""
    days: dict[date, list[Range]] = defaultdict(list)
    for start, stop, state, comment in oh.intervals(begin, end):
        if state != State.OPEN:
            continue
        day, first = start.date(), start.hour * 60 + start.minute
        while day < stop.date():
            days[day].append((first, MINUTES_PER_DAY, comment))
            day, first = day + timedelta(days=1), 0
        if (last := stop.hour * 60 + stop.minute) > first:
            days[day].append((first, last, comment))
    return {day: tuple(ranges) for day, ranges in days.items()}


def _merge(intervals) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _describe_day(ranges: tuple[Range, ...]) -> str:
    if not ranges:
        return "fermé"
    parts = []
    for index, (start, end, comment) in enumerate(ranges):
        part = "24 h/24" if (start, end) == (0, MINUTES_PER_DAY) else f"{format_time(start)} – {format_time(end)}"
        # A comment shared by successive ranges is written once, after the last one.
        if comment and (index + 1 == len(ranges) or ranges[index + 1][2] != comment):
            part += f" ({comment})"
        parts.append(part)
    return ", ".join(parts)


def _describe_weekday(ranks: dict[tuple[Range, ...], list[int]], name: str) -> str:
    """Describe a weekday whose schedule may depend on its rank in the month (1st to 5th)."""
    if len(ranks) == 1:
        return _describe_day(next(iter(ranks)))
    usual = max(ranks, key=lambda schedule: len(ranks[schedule]))
    others = [(schedule, _ranks(nths, name)) for schedule, nths in ranks.items() if schedule != usual]
    if not usual and len(others) == 1:
        schedule, when = others[0]
        return f"{_describe_day(schedule)}, {when}"
    parts = [_describe_day(usual)] if usual else []
    parts += [f"{when} : {_describe_day(schedule)}" for schedule, when in others]
    return " ; ".join(parts)


def _ranks(nths: list[int], name: str) -> str:
    """[1, 3], "mercredi" → "les 1er et 3e mercredis du mois"."""
    ordinals = ["1er" if nth == 1 else f"{nth}e" for nth in nths]
    if len(ordinals) == 1:
        return f"le {ordinals[0]} {name} du mois"
    return f"les {', '.join(ordinals[:-1])} et {ordinals[-1]} {name}s du mois"


@lru_cache(maxsize=64)
def is_public_holiday(day: date) -> bool:
    """A French (metropolitan) public holiday, from the library's calendar."""
    return bool(OpeningHours("PH", timezone=PARIS, country="FR").is_open(datetime.combine(day, time(12), PARIS)))
