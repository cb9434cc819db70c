"""A territory's tables as files people open: CSV (one table) and a spreadsheet (every table, one sheet each).

CSV cells go through core.spreadsheet.SafeCsvWriter; in the spreadsheet (XlsxWriter, as the search's) every text
cell is written as text, so that no producer's value can run as a formula.
"""

import io
from dataclasses import dataclass

import xlsxwriter

from core.spreadsheet import SafeCsvWriter, neutralise
from territories.access import THRESHOLDS_KM
from territories.pages import TerritoryPage


@dataclass
class Sheet:
    name: str  # the CSV's ``tableau`` parameter
    title: str  # the spreadsheet's sheet
    header: list[str]
    rows: list[list]


def rounded(value: float | None, digits: int = 2):
    return None if value is None else round(value, digits)


def offer_sheet(page: TerritoryPage, absolute) -> Sheet:
    offer = page.offer()
    references = [other.name for other, _ in offer.references]
    header = ["tableau", "valeur", "libelle", "sur_place", "sur_place_pour_10000_hab"]
    header += [f"sur_place_pour_10000_hab_{name}" for name in references]
    header += ["ouverts_aux_habitants", "ouverts_pour_10000_hab"]
    header += [f"ouverts_pour_10000_hab_{name}" for name in references]
    header += ["lien_sur_place", "lien_ouverts"]
    rows = []
    for table in [None, *offer.tables()]:
        for row in [offer.total] if table is None else table.rows:
            rows.append(
                ["total" if table is None else table.facet, row.value, row.label]
                + [row.on_site.count, rounded(row.on_site.rate), *map(rounded, row.on_site.references)]
                + [row.open.count, rounded(row.open.rate), *map(rounded, row.open.references)]
                + [absolute(row.on_site.url), absolute(row.open.url)]
            )
    return Sheet("offre", "Offre", header, rows)


def needs_sheet(page: TerritoryPage, absolute) -> Sheet:
    header = ["besoin", "libelle"]
    for km in THRESHOLDS_KM:
        header += [f"part_population_au_dela_{km}_km", f"communes_au_dela_{km}_km"]
    rows = []
    for need in page.needs:
        row = [need.category, need.label]
        for km in THRESHOLDS_KM:
            row += [rounded(100 * need.beyond[km]), need.places_beyond[km]]
        rows.append(row)
    return Sheet("eloignement", "Éloignement", header, rows)


def places_sheet(page: TerritoryPage, absolute) -> Sheet:
    header = ["code_insee", "commune", "population", "besoin", "distance_km", "service_id", "service_nom", "lien"]
    rows = [
        [row.code, row.name, row.population, page.need.category, rounded(row.distance_km)]
        + [row.service_id or "", row.service_name, absolute(row.search_url)]
        for row in page.access.rows(page.beyond(), page.need.category, page.alias)
    ]
    return Sheet("communes", f"Communes à plus de {page.threshold} km", header, rows)


def reliability_sheet(page: TerritoryPage, absolute) -> Sheet:
    reliability = page.reliability()
    header = ["source", "libelle", "fiches"]
    header += [f"mises_a_jour_depuis_{months}_mois" for months in reliability.cutoffs]
    header += ["plus_anciennes", "score_qualite_moyen", "sans_contact", "sans_horaires", "sans_coordonnees", "lien"]
    rows = []
    for row in [reliability.summary(reliability.rows), *reliability.by_source()]:
        rows.append(
            [row.source or "toutes", row.label, row.records.count]
            + [figure.count for figure in row.updated.values()]
            + [row.older.count, rounded(row.mean_score, 3)]
            + [figure.count for figure in row.missing.values()]
            + [absolute(row.records.url)]
        )
    return Sheet("fiabilite", "Fiabilité", header, rows)


def changes_sheet(page: TerritoryPage, absolute) -> Sheet:
    header = ["import", "debut", "sources", "ajoutes", "modifies", "retires"]
    rows = [
        [item.run.pk, item.run.started_at.isoformat(), " ".join(item.run.sources)]
        + [item.added, item.changed, item.removed]
        for item in page.changes()
    ]
    return Sheet("imports", "Imports", header, rows)


# The CSV's ``tableau`` parameter -> the function making that table.
SHEETS = {
    "offre": offer_sheet,
    "eloignement": needs_sheet,
    "communes": places_sheet,
    "fiabilite": reliability_sheet,
    "imports": changes_sheet,
}


def csv_text(sheet: Sheet) -> str:
    output = io.StringIO()
    writer = SafeCsvWriter(output)
    output.write("\ufeff")  # lets spreadsheet software read UTF-8
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow(["" if value is None else value for value in row])
    return output.getvalue()


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    output = io.BytesIO()
    # Text is text: never turned into a formula, a number or a link on its own.
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(output, options) as workbook:
        for sheet in sheets:
            written = workbook.add_worksheet(sheet.title[:31])
            written.write_row(0, 0, sheet.header)
            for number, row in enumerate(sheet.rows, start=1):
                for column, value in enumerate(row):
                    if isinstance(value, str):
                        written.write_string(number, column, neutralise(value))
                    elif value is not None:
                        written.write_number(number, column, value)
    return output.getvalue()
