"""Opening hours as the pages show them, in French.

- `read_hours()`: all a page shows of some hours: the status badge, the week, or a sentence when there is no
  week to show, or the hours as written when they cannot be read;
- `opening_status()`: the state at an instant in Europe/Paris, with a French label ("Ouvert maintenant — ferme
  à 17 h", "Fermé — ouvre mardi à 9 h");
- `week_description()`: the week in French.

Producers write "open" without hours ("Mo open", "Mo-Fr"): OSM reads whole days, they mean "open that day, hours
not given", and so do these texts; a place open day and night says `24/7` or `00:00-24:00`.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from opening_hours import OpeningHours, State

from structures.opening_hours import COMMENT_RE, MINUTES_PER_DAY, PARIS, Range, gives_rules, parse, reference_year

# How far to look for the next opening or closing.
STATUS_HORIZON = timedelta(days=366)

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

# Whole days open day and night, as opposed to whole days "open" without hours.
ROUND_THE_CLOCK_RE = re.compile(r"24/7|\b0?0:00 *- *(?:24|0?0):00\b")
NO_HOURS_NOTE = "Horaires non communiqués : appelez avant de vous déplacer."
NEVER_OPEN_NOTE = "La source n'indique aucun jour d'ouverture : appelez avant de vous déplacer."


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool | None  # None when the hours are unparseable or the state is "unknown"
    label: str  # e.g. "Fermé — ouvre mardi à 9 h"; "" when unknown
    raw: str
    parsed: bool
    comment: str = ""  # comment of the current rule, e.g. "sur rendez-vous"


def opening_status(hours: str | None, *, at: datetime) -> OpeningStatus:
    raw = hours or ""
    oh = parse(hours)
    if oh is None:
        return OpeningStatus(is_open=None, label="", raw=raw, parsed=False)
    if not gives_rules(raw):
        return OpeningStatus(is_open=None, label="", raw=raw, parsed=True, comment=_comments(raw))
    now = at.astimezone(PARIS)
    limit = now + STATUS_HORIZON
    without_hours = not ROUND_THE_CLOCK_RE.search(COMMENT_RE.sub("", raw))
    intervals = oh.intervals(now, limit)
    _, end, state, comment = next(intervals, (now, limit, State.UNKNOWN, ""))
    if state == State.OPEN:
        if without_hours and _open_all_day(oh, now.date()):
            label = "Ouvert aujourd'hui — horaires non précisés"
            return OpeningStatus(is_open=None, label=label, raw=raw, parsed=True, comment=comment)
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
        label = "Fermé"
        if opening:
            opening = opening.astimezone(PARIS)
            clock = not (without_hours and opening.time() == time.min and _open_all_day(oh, opening.date()))
            label = f"Fermé — ouvre {_when(opening, now=now, clock=clock)}"
        return OpeningStatus(is_open=False, label=label, raw=raw, parsed=True, comment=comment)
    return OpeningStatus(is_open=None, label="", raw=raw, parsed=True, comment=comment)


@dataclass(frozen=True)
class HoursReading:
    """All a page shows of some hours: the status badge (when it has a label), then the week, or else a
    sentence (`note`), or else the hours as the producer wrote them (`raw`)."""

    status: OpeningStatus | None
    week: list[tuple[str, str]] | None
    note: str
    raw: str


def read_hours(hours: str | None, *, at: datetime) -> HoursReading | None:
    """None when there are no hours at all."""
    raw = (hours or "").strip()
    if not raw:
        return None
    if parse(raw) is None:
        return HoursReading(status=None, week=None, note="", raw=raw)
    if not gives_rules(raw):  # comments only ("Horaires non communiqués…"), or "unknown"
        return HoursReading(status=None, week=None, note=_comments(raw) or NO_HOURS_NOTE, raw=raw)
    start = at.astimezone(PARIS).date()
    year = reference_year(raw, start)
    if year is not None and not year.weekly and not year.unknown and not any(year.public_holidays):
        # Closed every day of the coming year: rather a producer's way of saying "we don't know" than a
        # published service that never opens. No badge, no week of "fermé".
        return HoursReading(status=None, week=None, note=_comments(raw) or NEVER_OPEN_NOTE, raw=raw)
    return HoursReading(status=opening_status(raw, at=at), week=week_description(raw, start=start), note="", raw=raw)


def week_description(hours: str | None, *, start: date | None = None) -> list[tuple[str, str]] | None:
    """The week in French: [("Lundi", "9 h – 12 h, 14 h – 17 h"), …, ("Jours fériés", "fermé")].

    None when unparseable, and when the hours are not a weekly pattern over the coming year
    (seasons, specific dates, `Mo[-1]`…): callers then show the raw string. Week-of-month rules
    are described ("9 h – 12 h, les 1er et 3e mercredis du mois"). The public holidays line is
    only given when the hours mention `PH`.
    """
    year = reference_year(hours, start)
    if year is None:
        return None
    if any(len(schedules) > 1 for schedules in year.by_rank.values()):
        return None
    round_the_clock = bool(ROUND_THE_CLOCK_RE.search(COMMENT_RE.sub("", hours)))
    description = []
    for weekday, name in enumerate(WEEKDAYS):
        ranks: dict[tuple[Range, ...], list[int]] = defaultdict(list)
        for rank in range(1, 6):
            (schedule,) = year.by_rank[weekday, rank]
            ranks[schedule].append(rank)
        description.append((name.capitalize(), _describe_weekday(ranks, name, round_the_clock)))
    if year.mentions_public_holidays:
        if len(year.public_holidays) != 1:
            return None
        (schedule,) = year.public_holidays
        description.append(("Jours fériés", _describe_day(schedule, round_the_clock)))
    return description


def format_time(minutes: int) -> str:
    """French time of day: 540 → "9 h", 870 → "14 h 30"."""
    hour, minute = divmod(minutes, 60)
    return f"{hour} h {minute:02d}" if minute else f"{hour} h"


def _comments(hours: str) -> str:
    return " ; ".join(dict.fromkeys(comment.strip() for comment in COMMENT_RE.findall(hours) if comment.strip()))


def _open_all_day(oh: OpeningHours, day: date) -> bool:
    start = datetime.combine(day, time.min, tzinfo=PARIS)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=PARIS)
    return all(state == State.OPEN for _, _, state, _ in oh.intervals(start, end))


def _when(moment: datetime, *, now: datetime, clock: bool = True) -> str:
    """When something happens: "demain à 9 h", "lundi"… (without the time when `clock` is False)."""
    moment = moment.astimezone(PARIS)
    days = (moment.date() - now.date()).days
    at = f" à {format_time(moment.hour * 60 + moment.minute)}" if clock else ""
    if days == 0:
        return f"aujourd'hui{at}"
    if days == 1:
        return f"demain{at}"
    if days < 7:
        return f"{WEEKDAYS[moment.weekday()]}{at}"
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"le {day} {MONTHS[moment.month - 1]}{at}"


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


def _describe_day(ranges: tuple[Range, ...], round_the_clock: bool) -> str:
    if not ranges:
        return "fermé"
    parts = []
    for index, (start, end, comment, known) in enumerate(ranges):
        if (start, end) != (0, MINUTES_PER_DAY):
            part = f"{format_time(start)} – {format_time(end)}" + ("" if known else " (à confirmer)")
        elif not known:
            part = "horaires non précisés"
        else:
            part = "24 h/24" if round_the_clock else "ouvert, horaires non précisés"
        # A comment shared by successive ranges is written once, after the last one.
        if comment and (index + 1 == len(ranges) or ranges[index + 1].comment != comment):
            part += f" ({comment})"
        parts.append(part)
    return ", ".join(parts)


def _describe_weekday(ranks: dict[tuple[Range, ...], list[int]], name: str, round_the_clock: bool) -> str:
    """Describe a weekday whose schedule may depend on its rank in the month (1st to 5th)."""
    if len(ranks) == 1:
        return _describe_day(next(iter(ranks)), round_the_clock)
    usual = max(ranks, key=lambda schedule: len(ranks[schedule]))
    others = [(schedule, _ranks(nths, name)) for schedule, nths in ranks.items() if schedule != usual]
    if not usual and len(others) == 1:
        schedule, when = others[0]
        return f"{_describe_day(schedule, round_the_clock)}, {when}"
    parts = [_describe_day(usual, round_the_clock)] if usual else []
    parts += [f"{when} : {_describe_day(schedule, round_the_clock)}" for schedule, when in others]
    return " ; ".join(parts)


def _ranks(nths: list[int], name: str) -> str:
    """[1, 3], "mercredi" → "les 1er et 3e mercredis du mois"."""
    ordinals = ["1er" if nth == 1 else f"{nth}e" for nth in nths]
    if len(ordinals) == 1:
        return f"le {ordinals[0]} {name} du mois"
    return f"les {', '.join(ordinals[:-1])} et {ordinals[-1]} {name}s du mois"
