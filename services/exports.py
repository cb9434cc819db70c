"""The machine-readable export of a search (CSV with the contract's columns and codes, in the pages' order)."""

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse

from core import slots
from core.spreadsheet import csv_chunks
from services import results
from services.engine import Search

COLUMNS = [
    "id",
    "nom",
    "structure_id",
    "structure_nom",
    "commune",
    "code_postal",
    "distance_km",
    "modes_accueil",
    "thematiques",
    "telephone",
    "courriel",
    "lien_source",
]
# Seconds to wait before asking again when every export slot is taken (an export takes a few seconds).
BUSY_RETRY_AFTER = 10


# The columns as text from the database, but the distance, which the search measured: the whole national set is
# exported in a few seconds (converting arrays and dates in Python cost more than the rest).
EXPORT_SQL = results.rows_sql(
    "s.id, s.nom, s.structure_id, st.nom, coalesce(s.commune, ''), coalesce(s.code_postal, ''), '',"
    " array_to_string(s.modes_accueil, '|'), array_to_string(s.thematiques, '|'), coalesce(s.telephone, ''),"
    " coalesce(s.courriel, ''), coalesce(s.lien_source, '')"
)
DISTANCE = COLUMNS.index("distance_km")
# Rows read per query: half the national set. Bigger batches let PostgreSQL join in parallel rather than look
# rows up one by one (1.7 s for the whole set at once against 3 s by 20,000), at tens of MB of memory.
EXPORT_BATCH = 70_000


def row(hit, cells: tuple) -> list:
    line = list(cells[:-1])  # without the position
    line[DISTANCE] = "" if hit.distance_km is None else f"{hit.distance_km:.2f}"
    return line


def csv_response(search: Search) -> HttpResponse:
    """Every result, streamed; a few exports at once on the site (settings.EXPORTS_AT_ONCE), others asked to come
    back in a few seconds rather than keeping workers busy."""
    slot = slots.take("export", settings.EXPORTS_AT_ONCE)
    if slot is None:
        response = HttpResponse(
            "Trop de téléchargements sont en cours : réessayez dans quelques secondes.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
    rows = (row(hit, cells) for hit, cells in results.every(search, EXPORT_SQL, batch=EXPORT_BATCH))
    content = slots.Holding(csv_chunks(COLUMNS, rows), slot)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="services-insertion.csv"'
    return response
