"""The exports of a search, every result in the pages' order (services.results.every), a few at once on the whole
site (settings.EXPORTS_AT_ONCE: others are asked to come back in a few seconds, never keeping every worker busy):

- the machine CSV: the contract's columns, schema codes, for programs (../shared/docs/search-contract.md),
  streamed: the whole national set in a few seconds (rows read as text in large batches);
- the spreadsheet people open (XLSX): labels rather than codes, the address, phone, hours, how to get in and our
  page's URL, a second sheet with the search's criteria. XlsxWriter writes it row by row (constant memory) and
  never turns a string into a formula, a number or a link on its own; text cells also go through
  core.spreadsheet.neutralise, so that a copy saved as CSV stays harmless.

A spreadsheet is for people: it holds the first MAX_SHEET_ROWS results and says so. The whole file is written
before it is sent (~250 µs a row on our 2-core machine, most of it in XlsxWriter): 10,000 rows take ~2.5 s, the
whole country (125,000 results) would take ~40 s, beyond the server's 30-second timeout. The CSV, streamed, keeps
every result.
"""

import functools
import itertools
from collections.abc import Iterable

import xlsxwriter
from data_inclusion.schema import v1
from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.formats import number_format
from django.utils.text import slugify

from core import slots
from core.rendering import format_phone, safe_url
from core.spreadsheet import csv_chunks, neutralise
from services import results
from services.criteria import Criteria
from services.engine import Search
from services.presenters import hours_text
from structures.schema import enum_label
from structures.sources import source_name

CSV_COLUMNS = [
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
# (header, column width in characters)
SHEET_COLUMNS = [
    ("Service", 40),
    ("Structure", 34),
    ("Distance (km)", 10),
    ("Adresse", 34),
    ("Code postal", 10),
    ("Commune", 22),
    ("Téléphone", 16),
    ("Courriel", 28),
    ("Horaires", 44),
    ("Comment en bénéficier", 34),
    ("Besoins", 40),
    ("Publics", 30),
    ("Frais", 14),
    ("Modes d'accueil", 18),
    ("Fiche sur le site", 50),
    ("Source", 16),
    ("Mis à jour le", 12),
]
HEADERS = [header for header, _ in SHEET_COLUMNS]
MAX_SHEET_ROWS = 10_000
# The CSV's columns as text from the database, but the distance, which the search measured (converting arrays and
# dates in Python cost more than the rest).
CSV_SQL = results.rows_sql(
    "s.id, s.nom, s.structure_id, st.nom, coalesce(s.commune, ''), coalesce(s.code_postal, ''), '',"
    " array_to_string(s.modes_accueil, '|'), array_to_string(s.thematiques, '|'), coalesce(s.telephone, ''),"
    " coalesce(s.courriel, ''), coalesce(s.lien_source, '')"
)
DISTANCE = CSV_COLUMNS.index("distance_km")
# CSV rows read per query: half the national set. Bigger batches let PostgreSQL join in parallel rather than look
# rows up one by one (1.7 s for the whole set at once against 3 s by 20,000), at tens of MB of memory.
CSV_BATCH = 70_000
# Seconds to wait before asking again when every export slot is taken (an export takes a few seconds).
BUSY_RETRY_AFTER = 10


def csv_row(hit, cells: tuple) -> list:
    line = list(cells[:-1])  # without the position
    line[DISTANCE] = "" if hit.distance_km is None else f"{hit.distance_km:.2f}"
    return line


def exporting(make_response):
    """The response of an export, or a 503 asking to come back when every export slot of the site is taken; the
    slot is held until the response is closed, sent whole or not."""
    slot = slots.take("export", settings.EXPORTS_AT_ONCE)
    if slot is None:
        response = HttpResponse(
            "Trop de téléchargements sont en cours : réessayez dans quelques secondes.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
    try:
        response = make_response()
    except BaseException:
        slot.release()
        raise
    response.streaming_content = slots.Holding(response.streaming_content, slot)
    return response


def csv_response(search: Search) -> HttpResponse:
    """Every result, streamed."""

    def make():
        rows = (csv_row(hit, cells) for hit, cells in results.every(search, CSV_SQL, batch=CSV_BATCH))
        response = StreamingHttpResponse(csv_chunks(CSV_COLUMNS, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="services-insertion.csv"'
        return response

    return exporting(make)


def labels(schema_enum, values) -> str:
    return ", ".join(enum_label(schema_enum, value) for value in values or [])


@functools.lru_cache(maxsize=4096)
def phone_text(phone: str) -> str:
    return format_phone(phone)


def how_to_get_in(service) -> str:
    ways = labels(v1.ModeMobilisation, service.modes_mobilisation)
    link = safe_url(service.lien_mobilisation)
    return " ; ".join(part for part in (ways, f"en ligne : {link}" if link else "") if part)


def sheet_row(service, page_url: str) -> list:
    structure = service.structure
    return [
        service.nom,
        structure.nom,
        None if service.distance_km is None else round(service.distance_km, 1),
        ", ".join(part for part in (service.adresse, service.complement_adresse) if part),
        service.code_postal or "",
        service.commune or "",
        phone_text(service.telephone or structure.telephone or ""),
        service.courriel or structure.courriel or "",
        hours_text(service.horaires_accueil or structure.horaires_accueil),
        how_to_get_in(service),
        ", ".join(enum_label(v1.Thematique, value) for value in service.thematiques or []),
        labels(v1.Public, service.publics),
        enum_label(v1.Frais, service.frais) if service.frais else "",
        labels(v1.ModeAccueil, service.modes_accueil),
        page_url,
        source_name(service.source),
        service.date_maj,
    ]


def file_name(params, day) -> str:
    """ "services-insertion-lille-2026-11-28.xlsx": the place and the date."""
    return f"services-insertion-{place_slug(params.origin)}-{day.isoformat()}.xlsx"


def place_slug(origin) -> str:
    if origin is None:
        return "france"
    return "autour-de-ma-position" if origin.at_point else slugify(origin.commune.nom)


def about(params, query, day, search_url: str, count: int) -> list[tuple[str, str]]:
    """The second sheet: when, what was searched, how many results, and the page of the results."""
    total = number_format(count, force_grouping=True)
    results = f"{total} services"
    if count > MAX_SHEET_ROWS:
        first = number_format(MAX_SHEET_ROWS, force_grouping=True)
        results = (
            f"les {first} premiers de {total} services (précisez la recherche, ou prenez les données brutes en CSV)"
        )
    return [
        ("Date", day.strftime("%d/%m/%Y")),
        *Criteria(params, query, "").lines(),
        ("Résultats", results),
        ("Page des résultats", search_url),
    ]


def write_workbook(output, services: Iterable, page_url, criteria: list[tuple[str, str]]) -> int:
    """Write the services (in order, MAX_SHEET_ROWS at most) to an XLSX file object; ``page_url(service)`` gives
    our page's address. Returns how many rows were written."""
    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "dd/mm/yyyy",
        },
    )
    sheet = workbook.add_worksheet("Services")
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    decimal = workbook.add_format({"num_format": "0.0", "valign": "top"})
    day = workbook.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
    link = workbook.add_format({"font_color": "#000091", "underline": 1, "valign": "top"})
    for column, (header, width) in enumerate(SHEET_COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, header, bold)
    sheet.freeze_panes(1, 1)
    url_column = HEADERS.index("Fiche sur le site")
    count = 0
    for count, service in enumerate(itertools.islice(services, MAX_SHEET_ROWS), start=1):
        for column, value in enumerate(sheet_row(service, page_url(service))):
            if value is None or value == "":
                continue
            if column == url_column:
                sheet.write_url(count, column, value, link, string=value)
            elif isinstance(value, float):
                sheet.write_number(count, column, value, decimal)
            elif column == len(HEADERS) - 1:
                sheet.write_datetime(count, column, value, day)
            else:
                sheet.write_string(count, column, neutralise(value), wrap)
    sheet.autofilter(0, 0, max(count, 1), len(HEADERS) - 1)
    about = workbook.add_worksheet("Recherche")
    about.set_column(0, 0, 24)
    about.set_column(1, 1, 90)
    for row, (label, text) in enumerate(criteria):
        about.write_string(row, 0, label, bold)
        about.write_string(row, 1, neutralise(text), wrap)
    workbook.close()
    return count
