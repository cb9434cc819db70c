"""The demo's French vocabulary, read from the TOML files of demo/vocabulary/.

Values of the schema's lists are written there as the schema's own values (tests/demo/test_vocabulary.py
checks them). Weighted choices are kept as (items, cumulative weights) for `random.choices`, summed once.
"""

import tomllib
from itertools import accumulate
from pathlib import Path

FOLDER = Path(__file__).parent / "vocabulary"


def weighted(pairs) -> tuple[list, list[float]]:
    """Items and cumulative weights, from (item, weight) pairs or an {item: weight} table; [] is None."""
    pairs = list(pairs.items() if isinstance(pairs, dict) else pairs)
    return [item if item != [] else None for item, _ in pairs], list(accumulate(weight for _, weight in pairs))


def read(folder: Path = FOLDER) -> dict[str, dict]:
    """Every TOML file of the folder, by name: {"structures": {…}, "services": {…}, …}."""
    return {path.stem: tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.toml"))}


def load(folder: Path = FOLDER) -> dict[str, dict]:
    """The vocabulary, kinds completed by their defaults, weighted choices ready to draw."""
    vocabulary = read(folder)
    structures, draws = vocabulary["structures"], vocabulary["services"]["draws"]
    for index, table in enumerate(structures["kind"]):
        kind = {**structures["defaults"], **structures["contacts"].get(table.get("contacts"), {}), **table}
        kind["names"] = weighted((name, name["weight"]) for name in kind["names"])
        structures["kind"][index] = _weigh(kind, "reseaux", "sources", "thematiques")
    _weigh(draws, "modes_accueil", "modes_mobilisation", "mobilisable_par", "zones")
    _weigh(draws["prescribed"], "mobilisable_par")
    _weigh(vocabulary["places"]["phone"], "formats")
    _weigh(vocabulary["horaires"]["profiles"], *vocabulary["horaires"]["profiles"])
    return vocabulary


def _weigh(table: dict, *names: str) -> dict:
    for name in names:
        table[name] = weighted(table[name])
    return table
