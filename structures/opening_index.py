"""Opening hours made filterable in SQL: one row per distinct hours string.

The "ouvert maintenant / aujourd'hui" search filter cannot parse 140,000 OSM strings per
query; each distinct string is parsed once (structures.opening_hours) into minutes-of-week
ranges, and queries join on the string's md5.
"""

import hashlib

from django.contrib.postgres.fields import ArrayField, IntegerRangeField
from django.db import connection, models
from django.db.backends.postgresql.psycopg_any import NumericRange

from structures.opening_hours import closed_on_public_holidays, open_on_public_holidays, weekly_intervals


class OpeningHours(models.Model):
    key = models.CharField("md5 des horaires", max_length=32, primary_key=True)
    hours = models.TextField("horaires")
    weekly = ArrayField(IntegerRangeField(), null=True, help_text="Minutes de la semaine (lundi 0 h = 0).")
    closed_on_public_holidays = models.BooleanField(default=False)
    public_holiday_ranges = ArrayField(IntegerRangeField(), null=True, help_text="Minutes du jour, jours fériés.")

    class Meta:
        app_label = "structures"
        verbose_name = "horaires analysés"
        verbose_name_plural = "horaires analysés"

    def __str__(self):
        return self.hours


def hours_key(hours: str) -> str:
    return hashlib.md5(hours.encode(), usedforsecurity=False).hexdigest()


def _ranges(intervals):
    return None if intervals is None else [NumericRange(start, end, "[)") for start, end in intervals]


def index_opening_hours() -> int:
    """Parse the hours strings of the search index not parsed yet (unparseable ones too, so
    they are not tried again: their weekly ranges are null)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT e.hours FROM services_searchentry AS e
            WHERE e.hours IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM structures_openinghours AS h WHERE h.key = md5(e.hours))
            """
        )
        missing = [row[0] for row in cursor.fetchall()]
    OpeningHours.objects.bulk_create(
        [
            OpeningHours(
                key=hours_key(hours),
                hours=hours,
                weekly=_ranges(weekly_intervals(hours)),
                closed_on_public_holidays=bool(closed_on_public_holidays(hours)),
                public_holiday_ranges=_ranges(open_on_public_holidays(hours)),
            )
            for hours in missing
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(missing)
