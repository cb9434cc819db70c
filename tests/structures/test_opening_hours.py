from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from structures.hours_display import (
    HoursReading,
    OpeningStatus,
    format_time,
    opening_status,
    read_hours,
    week_description,
)
from structures.opening_hours import (
    MINUTES_PER_WEEK,
    closed_on_public_holidays,
    open_on_public_holidays,
    weekly_intervals,
)

PARIS = ZoneInfo("Europe/Paris")
# The reference year of the weekly representations, fixed so that tests do not depend on today.
START = date(2026, 1, 5)

WEEKDAYS = "Mo-Fr 09:00-12:00,14:00-17:00"
EASTER_HOURS = "Mo,We 08:30-12:30; PH off"
TUESDAY_TO_SATURDAY = "Tu-Sa 10:00-18:00; Su off"
APPOINTMENT = 'Mo-Fr 09:00-12:00; Sa 10:00-12:00 "sur rendez-vous"'
WEEK_OF_MONTH = "Mo 14:00-17:00; We[1,3] 09:00-12:00"
MALFORMED = [
    "lundi 9h-12h",
    "Mo-Fr 9-12",
    "Mo-Fr 25:00-26:00",
    "Mo-Fr: 09:00-12:00",
    "Mo-Fr 09:00-12:00;",
    # Valid OSM, but the library evaluates fallback rules wrongly: shown raw.
    'Mo-Fr 09:00-12:00 || "sur rendez-vous"',
]


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("hours", "at", "is_open", "label"),
    [
        # 2026-04-07 is a Tuesday, the day after Easter Monday.
        (WEEKDAYS, paris(2026, 4, 7, 10), True, "Ouvert maintenant — ferme à 12 h"),
        (WEEKDAYS, paris(2026, 4, 7, 12, 30), False, "Fermé — ouvre aujourd'hui à 14 h"),
        (WEEKDAYS, paris(2026, 4, 7, 12), False, "Fermé — ouvre aujourd'hui à 14 h"),
        (WEEKDAYS, paris(2026, 4, 7, 11, 59), True, "Ouvert maintenant — ferme à 12 h"),
        (WEEKDAYS, paris(2026, 4, 7, 20), False, "Fermé — ouvre demain à 9 h"),
        (WEEKDAYS, paris(2026, 4, 10, 18), False, "Fermé — ouvre lundi à 9 h"),
        # Without `PH off`, public holidays follow the weekly schedule.
        (WEEKDAYS, paris(2026, 4, 6, 10), True, "Ouvert maintenant — ferme à 12 h"),
        (EASTER_HOURS, paris(2026, 4, 6, 9), False, "Fermé — ouvre mercredi à 8 h 30"),
        (EASTER_HOURS, paris(2026, 4, 8, 9), True, "Ouvert maintenant — ferme à 12 h 30"),
        ("24/7", paris(2026, 4, 12, 3), True, "Ouvert maintenant"),
        (TUESDAY_TO_SATURDAY, paris(2026, 4, 12, 11), False, "Fermé — ouvre mardi à 10 h"),
        (TUESDAY_TO_SATURDAY, paris(2026, 4, 11, 17), True, "Ouvert maintenant — ferme à 18 h"),
        (APPOINTMENT, paris(2026, 4, 11, 11), True, "Ouvert maintenant — ferme à 12 h"),
        # 2026-04-01 and 2026-04-15 are 1st and 3rd Wednesdays, 2026-04-08 is not.
        (WEEK_OF_MONTH, paris(2026, 4, 1, 10), True, "Ouvert maintenant — ferme à 12 h"),
        (WEEK_OF_MONTH, paris(2026, 4, 8, 10), False, "Fermé — ouvre lundi à 14 h"),
        (WEEK_OF_MONTH, paris(2026, 4, 14, 18), False, "Fermé — ouvre demain à 9 h"),
        # 1er mai, 8 mai (Fridays) and Ascension (Thursday 14 May) in 2026.
        (f"{WEEKDAYS}; PH off", paris(2026, 5, 1, 10), False, "Fermé — ouvre lundi à 9 h"),
        ("Mo-Fr 09:00-17:00; PH off", paris(2026, 5, 13, 18), False, "Fermé — ouvre vendredi à 9 h"),
        ("Mo-Fr 09:00-12:00; PH 10:00-11:00", paris(2026, 7, 14, 9, 30), False, "Fermé — ouvre aujourd'hui à 10 h"),
        ("Mo-Fr 09:00-12:00; PH 10:00-11:00", paris(2026, 7, 14, 10, 30), True, "Ouvert maintenant — ferme à 11 h"),
        # Closing on another day, next opening more than a week away.
        ("Mo-Fr 22:00-02:00", paris(2026, 4, 10, 23), True, "Ouvert maintenant — ferme demain à 2 h"),
        ("Mo-Fr 09:00-24:00", paris(2026, 4, 10, 23), True, "Ouvert maintenant — ferme à minuit"),
        ("Mo-Fr 09:00-17:00; Aug off", paris(2026, 7, 31, 18), False, "Fermé — ouvre le 1er septembre à 9 h"),
        ("Mo-Fr 09:00-17:00; Aug off", paris(2026, 8, 20, 10), False, "Fermé — ouvre le 1er septembre à 9 h"),
        ("off", paris(2026, 4, 7, 10), False, "Fermé"),
        # Tolerated by the parser.
        ("mo-fr 9:00-12:00", paris(2026, 4, 7, 10), True, "Ouvert maintenant — ferme à 12 h"),
    ],
)
def test_opening_status(hours, at, is_open, label):
    status = opening_status(hours, at=at)
    assert (status.is_open, status.label, status.raw, status.parsed) == (is_open, label, hours, True)


def test_opening_status_keeps_the_comment():
    status = opening_status(APPOINTMENT, at=paris(2026, 4, 11, 11))
    assert (status.is_open, status.comment) == (True, "sur rendez-vous")


def test_opening_status_unknown():
    hours = 'Mo-Fr 09:00-12:00; Sa unknown "sur rendez-vous"'
    status = opening_status(hours, at=paris(2026, 4, 11, 10))
    assert status == OpeningStatus(is_open=None, label="", raw=hours, parsed=True, comment="sur rendez-vous")


@pytest.mark.parametrize(
    ("at", "is_open", "label"),
    [
        # Thursday 22:30 UTC is Friday 00:30 in Paris (summer time).
        (datetime(2026, 4, 9, 22, 30, tzinfo=UTC), False, "Fermé — ouvre aujourd'hui à 9 h"),
        # Friday 22:30 UTC is Saturday 00:30 in Paris.
        (datetime(2026, 4, 10, 22, 30, tzinfo=UTC), False, "Fermé — ouvre lundi à 9 h"),
        # 08:00 UTC is 09:00 in winter, 10:00 in summer.
        (datetime(2026, 1, 6, 8, 0, tzinfo=UTC), True, "Ouvert maintenant — ferme à 12 h"),
        (datetime(2026, 4, 7, 8, 0, tzinfo=UTC), True, "Ouvert maintenant — ferme à 12 h"),
        (datetime(2026, 1, 6, 7, 30, tzinfo=UTC), False, "Fermé — ouvre aujourd'hui à 9 h"),
        (datetime(2026, 4, 7, 6, 30, tzinfo=UTC), False, "Fermé — ouvre aujourd'hui à 9 h"),
        (datetime(2026, 4, 7, 7, 30, tzinfo=UTC), True, "Ouvert maintenant — ferme à 12 h"),
        (datetime(2026, 4, 7, 15, 30, tzinfo=UTC), False, "Fermé — ouvre demain à 9 h"),
    ],
)
def test_opening_status_converts_to_paris_time(at, is_open, label):
    status = opening_status("Mo-Fr 09:00-12:00,14:00-17:00", at=at)
    assert (status.is_open, status.label) == (is_open, label)


@pytest.mark.parametrize(
    ("at", "is_open", "label"),
    [
        # Summer time starts on 2026-03-29 at 02:00 (01:00 UTC).
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), False, "Fermé — ouvre aujourd'hui à 9 h"),
        (datetime(2026, 3, 29, 7, 30, tzinfo=UTC), True, "Ouvert maintenant — ferme à 12 h"),
        (datetime(2026, 3, 29, 10, 30, tzinfo=UTC), False, "Fermé — ouvre demain à 9 h"),
        # Winter time starts on 2026-10-25 at 03:00 (01:00 UTC).
        (datetime(2026, 10, 25, 7, 30, tzinfo=UTC), False, "Fermé — ouvre aujourd'hui à 9 h"),
        (datetime(2026, 10, 25, 8, 0, tzinfo=UTC), True, "Ouvert maintenant — ferme à 12 h"),
        (datetime(2026, 10, 25, 10, 30, tzinfo=UTC), True, "Ouvert maintenant — ferme à 12 h"),
        (datetime(2026, 10, 25, 11, 0, tzinfo=UTC), False, "Fermé — ouvre demain à 9 h"),
    ],
)
def test_opening_status_on_daylight_saving_time_changes(at, is_open, label):
    status = opening_status("Mo-Su 09:00-12:00", at=at)
    assert (status.is_open, status.label) == (is_open, label)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),
        date(2026, 4, 6),  # lundi de Pâques
        date(2026, 5, 1),
        date(2026, 5, 8),
        date(2026, 5, 14),  # Ascension
        date(2026, 5, 25),  # lundi de Pentecôte
        date(2026, 7, 14),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 25),
    ],
)
def test_french_public_holidays(day):
    assert opening_status("24/7; PH off", at=paris(day.year, day.month, day.day, 12)).is_open is False


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 3),  # Good Friday: Alsace-Moselle only, not supported
        date(2026, 4, 5),  # Easter Sunday
        date(2026, 12, 26),  # Alsace-Moselle only, not supported
        date(2026, 12, 31),
    ],
)
def test_not_public_holidays(day):
    assert opening_status("24/7; PH off", at=paris(day.year, day.month, day.day, 12)).is_open is True


@pytest.mark.parametrize("hours", [*MALFORMED, "", "   ", None])
def test_unparseable_hours(hours):
    at = paris(2026, 4, 7, 10)
    assert opening_status(hours, at=at) == OpeningStatus(is_open=None, label="", raw=hours or "", parsed=False)
    assert week_description(hours, start=START) is None
    assert weekly_intervals(hours, start=START) is None
    assert closed_on_public_holidays(hours, start=START) is None
    assert open_on_public_holidays(hours, start=START) is None


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (
            WEEKDAYS,
            [(day * 1440 + 540, day * 1440 + 720) for day in range(5)]
            + [(day * 1440 + 840, day * 1440 + 1020) for day in range(5)],
        ),
        ("24/7", [(0, MINUTES_PER_WEEK)]),
        # Public holidays are left aside.
        (EASTER_HOURS, [(510, 750), (2 * 1440 + 510, 2 * 1440 + 750)]),
        # The 1st and 3rd Wednesdays count as every Wednesday.
        (WEEK_OF_MONTH, [(840, 1020), (2 * 1440 + 540, 2 * 1440 + 720)]),
        # Seasonal hours count all year; closures on specific dates are ignored.
        ("Mo 09:00-17:00; Jul-Aug Sa 10:00-12:00", [(540, 1020), (5 * 1440 + 600, 5 * 1440 + 720)]),
        ("Mo 09:00-17:00; Dec 21 off", [(540, 1020)]),
        # Split at Sunday midnight, merged at the other midnights.
        ("Su,Mo 22:00-02:00", [(0, 120), (1320, 1440 + 120), (6 * 1440 + 1320, MINUTES_PER_WEEK)]),
        ('Sa 10:00-12:00 "sur rendez-vous"', [(5 * 1440 + 600, 5 * 1440 + 720)]),
        ("off", []),
    ],
)
def test_weekly_intervals(hours, expected):
    assert weekly_intervals(hours, start=START) == sorted(expected)


def test_weekly_intervals_defaults_to_the_coming_year():
    assert weekly_intervals("Mo 09:00-12:00") == [(540, 720)]


@pytest.mark.parametrize(
    ("hours", "closed", "open_hours"),
    [
        (EASTER_HOURS, True, []),
        ("Mo-Sa 09:00-18:00; Su,PH off", True, []),
        ("Mo-Fr 09:00-12:00; PH 10:00-12:00", False, [(600, 720)]),
        (WEEKDAYS, False, None),
        ("24/7", False, None),
    ],
)
def test_public_holidays(hours, closed, open_hours):
    assert closed_on_public_holidays(hours, start=START) is closed
    assert open_on_public_holidays(hours, start=START) == open_hours


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (
            WEEKDAYS,
            [
                ("Lundi", "9 h – 12 h, 14 h – 17 h"),
                ("Mardi", "9 h – 12 h, 14 h – 17 h"),
                ("Mercredi", "9 h – 12 h, 14 h – 17 h"),
                ("Jeudi", "9 h – 12 h, 14 h – 17 h"),
                ("Vendredi", "9 h – 12 h, 14 h – 17 h"),
                ("Samedi", "fermé"),
                ("Dimanche", "fermé"),
            ],
        ),
        (
            EASTER_HOURS,
            [
                ("Lundi", "8 h 30 – 12 h 30"),
                ("Mardi", "fermé"),
                ("Mercredi", "8 h 30 – 12 h 30"),
                ("Jeudi", "fermé"),
                ("Vendredi", "fermé"),
                ("Samedi", "fermé"),
                ("Dimanche", "fermé"),
                ("Jours fériés", "fermé"),
            ],
        ),
        (
            "Tu-Sa 10:00-18:00; Su off; PH 10:00-12:00",
            [
                ("Lundi", "fermé"),
                ("Mardi", "10 h – 18 h"),
                ("Mercredi", "10 h – 18 h"),
                ("Jeudi", "10 h – 18 h"),
                ("Vendredi", "10 h – 18 h"),
                ("Samedi", "10 h – 18 h"),
                ("Dimanche", "fermé"),
                ("Jours fériés", "10 h – 12 h"),
            ],
        ),
        (
            APPOINTMENT,
            [
                ("Lundi", "9 h – 12 h"),
                ("Mardi", "9 h – 12 h"),
                ("Mercredi", "9 h – 12 h"),
                ("Jeudi", "9 h – 12 h"),
                ("Vendredi", "9 h – 12 h"),
                ("Samedi", "10 h – 12 h (sur rendez-vous)"),
                ("Dimanche", "fermé"),
            ],
        ),
        (
            WEEK_OF_MONTH,
            [
                ("Lundi", "14 h – 17 h"),
                ("Mardi", "fermé"),
                ("Mercredi", "9 h – 12 h, les 1er et 3e mercredis du mois"),
                ("Jeudi", "fermé"),
                ("Vendredi", "fermé"),
                ("Samedi", "fermé"),
                ("Dimanche", "fermé"),
            ],
        ),
        (
            "Mo 09:00-12:00; Mo[2] 14:00-17:00; Sa[1] 10:00-12:00",
            [
                ("Lundi", "9 h – 12 h ; le 2e lundi du mois : 14 h – 17 h"),
                ("Mardi", "fermé"),
                ("Mercredi", "fermé"),
                ("Jeudi", "fermé"),
                ("Vendredi", "fermé"),
                ("Samedi", "10 h – 12 h, le 1er samedi du mois"),
                ("Dimanche", "fermé"),
            ],
        ),
        (
            "24/7",
            [(day, "24 h/24") for day in ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")],
        ),
    ],
)
def test_week_description(hours, expected):
    assert week_description(hours, start=START) == expected


@pytest.mark.parametrize(
    "hours",
    [
        # Not a weekly pattern: shown raw.
        "Mo-Fr 09:00-17:00; Aug off",
        "Mo-Fr 09:00-17:00; Dec 24 09:00-12:00",
        "Mo[-1] 09:00-12:00",
        # Public holidays hours that depend on the weekday.
        "PH off; Mo-Fr 09:00-17:00",
    ],
)
def test_week_description_of_irregular_hours(hours):
    assert week_description(hours, start=START) is None


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(0, "0 h"), (540, "9 h"), (870, "14 h 30"), (605, "10 h 05"), (1440, "24 h")],
)
def test_format_time(minutes, expected):
    assert format_time(minutes) == expected


# What producers write when they give no hours, and how the pages read it.
NO_HOURS = "Horaires non communiqués : appelez avant de vous déplacer."
NEVER_OPEN = "La source n'indique aucun jour d'ouverture : appelez avant de vous déplacer."
CLOSED_WEEK = [(day, "fermé") for day in ("Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")]


@pytest.mark.parametrize(
    ("hours", "at", "is_open", "label", "week"),
    [
        # "open" without hours: open that day, hours not given (not "24 h/24 … ouvre lundi à 0 h").
        # 2026-04-07 is a Tuesday.
        ("Mo open", paris(2026, 4, 7, 10), False, "Fermé — ouvre lundi", [("Lundi", "ouvert, horaires non précisés")]),
        ("Mo", paris(2026, 4, 6, 3), None, "Ouvert aujourd'hui — horaires non précisés", None),
        ("Mo-Fr open", paris(2026, 4, 7, 23), None, "Ouvert aujourd'hui — horaires non précisés", None),
        ("Mo-Fr open", paris(2026, 4, 11, 10), False, "Fermé — ouvre lundi", None),
        ('Tu open "sur rendez-vous"', paris(2026, 4, 6, 18), False, "Fermé — ouvre demain", None),
        ("Mo-Fr 09:00-12:00; Sa open", paris(2026, 4, 10, 13), False, "Fermé — ouvre demain", None),
        ("Mo-Fr 09:00-12:00; Sa open", paris(2026, 4, 10, 10), True, "Ouvert maintenant — ferme à 12 h", None),
        # Day and night, said so.
        ("Mo 00:00-24:00", paris(2026, 4, 7, 10), False, "Fermé — ouvre lundi à 0 h", [("Lundi", "24 h/24")]),
        ("24/7", paris(2026, 4, 7, 10), True, "Ouvert maintenant", None),
        # A night range starting at midnight keeps its time.
        ("Mo 00:00-08:00", paris(2026, 4, 7, 10), False, "Fermé — ouvre lundi à 0 h", [("Lundi", "0 h – 8 h")]),
    ],
)
def test_open_without_hours(hours, at, is_open, label, week):
    reading = read_hours(hours, at=at)
    assert (reading.status.is_open, reading.status.label, reading.note) == (is_open, label, "")
    if week:
        assert reading.week == week + CLOSED_WEEK


def test_week_of_open_days_without_hours():
    assert week_description("Mo-Fr 09:00-12:00; Sa open; Su off", start=START)[4:] == [
        ("Vendredi", "9 h – 12 h"),
        ("Samedi", "ouvert, horaires non précisés"),
        ("Dimanche", "fermé"),
    ]
    assert week_description("Mo-Su 00:00-24:00", start=START)[0] == ("Lundi", "24 h/24")
    assert week_description("open", start=START)[0] == ("Lundi", "ouvert, horaires non précisés")


@pytest.mark.parametrize(
    ("hours", "note"),
    [
        # No rule at all: comments only, or "unknown". The library would read a comment as "open 24/7".
        (f'"{NO_HOURS[:-1]}"', NO_HOURS[:-1]),
        ('"Sur rendez-vous uniquement"', "Sur rendez-vous uniquement"),
        ("unknown", NO_HOURS),
        ('unknown "appeler le standard"', "appeler le standard"),
        # Closed every day of the coming year: no badge, no week of "fermé".
        ("off", NEVER_OPEN),
        ("Mo-Su off", NEVER_OPEN),
        ("closed", NEVER_OPEN),
        ("Mo-Su off; PH off", NEVER_OPEN),
        ('off "fermé pour travaux"', "fermé pour travaux"),
        ("2020 Jan 01-2020 Dec 31 Mo-Fr 09:00-12:00", NEVER_OPEN),
    ],
)
def test_hours_that_give_no_week(hours, note):
    assert read_hours(hours, at=paris(2026, 4, 7, 10)) == HoursReading(status=None, week=None, note=note, raw=hours)


def test_unknown_days_read_as_not_given():
    reading = read_hours('Mo-Fr 09:00-12:00; Sa unknown "sur rendez-vous"', at=paris(2026, 4, 11, 10))
    assert (reading.status.label, reading.note) == ("", "")
    assert reading.week[5] == ("Samedi", "horaires non précisés (sur rendez-vous)")
    reading = read_hours("Mo 09:00-12:00 unknown; Tu 09:00-12:00", at=paris(2026, 4, 7, 8))
    assert reading.week[:2] == [("Lundi", "9 h – 12 h (à confirmer)"), ("Mardi", "9 h – 12 h")]
    assert reading.status.label == "Fermé — ouvre aujourd'hui à 9 h"


@pytest.mark.parametrize("hours", MALFORMED)
def test_unreadable_hours_are_shown_as_written(hours):
    assert read_hours(f"  {hours} ", at=paris(2026, 4, 7, 10)) == HoursReading(
        status=None, week=None, note="", raw=hours
    )


@pytest.mark.parametrize("hours", [None, "", "  "])
def test_no_hours(hours):
    assert read_hours(hours, at=paris(2026, 4, 7, 10)) is None


def test_regular_hours_read_as_before():
    reading = read_hours(WEEKDAYS, at=paris(2026, 4, 7, 10))
    assert (reading.status.is_open, reading.status.label, reading.note) == (
        True,
        "Ouvert maintenant — ferme à 12 h",
        "",
    )
    assert reading.week[0] == ("Lundi", "9 h – 12 h, 14 h – 17 h")
