"""What needs no database about communes, shared by the communes import and the demo generator (not a Django
app): the columns of our CSV files, the municipal arrondissements."""

# Columns of our CSV format. The file of communes déléguées and associées adds `type` and `parent`.
CSV_COLUMNS = (
    "code_insee",
    "nom",
    "codes_postaux",
    "departement",
    "region",
    "epci",
    "population",
    "latitude",
    "longitude",
)
SUBDIVISION_COLUMNS = ("type", "parent")

# The INSEE codes of the municipal arrondissements of Paris, Lyon and Marseille, and their commune.
ARRONDISSEMENT_RANGES = (
    (75101, 75120, "75056"),
    (69381, 69389, "69123"),
    (13201, 13216, "13055"),
)


def arrondissement_parent(code_insee: str) -> str | None:
    """The INSEE code of the commune an arrondissement belongs to, None if the code is no arrondissement."""
    if not code_insee.isdigit():
        return None
    number = int(code_insee)
    for first, last, parent in ARRONDISSEMENT_RANGES:
        if first <= number <= last:
            return parent
    return None
