"""python -m demo: a realistic synthetic offre d'insertion in the data·inclusion open-data JSON format.

structures.json and services.json, every record valid for the official schema v1 models, spread over the
real communes of a communes file: the demo data of `make run`, the national-size data of the benchmarks.
"""

import argparse
import os
import time
from pathlib import Path
from typing import NoReturn

from demo import vocabulary
from demo.generator import Generator
from demo.geography import Geography

SHARED_DATA = Path(os.environ.get("SHARED_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"))

parser = argparse.ArgumentParser(
    prog="python -m demo", description="Écrit un jeu de démonstration au format open data de data·inclusion."
)
parser.add_argument("--structures", type=int, default=1000, help="nombre de structures (défaut : 1000)")
parser.add_argument("--services", type=int, default=1400, help="nombre de services (défaut : 1400)")
parser.add_argument("--seed", type=int, default=42, help="graine du tirage (défaut : 42)")
parser.add_argument("--out", type=Path, default=Path(".data/demo"), help="dossier de sortie (défaut : .data/demo)")
parser.add_argument("--departements", default="", help="codes de départements séparés par des virgules : 59,2A")
parser.add_argument(
    "--communes",
    type=Path,
    default=SHARED_DATA / "communes.csv.gz",
    help="fichier des communes au format de import_communes (défaut : communes.csv.gz de $SHARED_DATA_DIR)",
)


def main(argv: list[str] | None = None) -> None:
    arguments = parser.parse_args(argv)
    codes = [code.zfill(2) if code.isdigit() else code for code in arguments.departements.upper().split(",") if code]
    if min(arguments.structures, arguments.services) < 0:
        fail("les nombres de structures et de services ne peuvent pas être négatifs.")
    if arguments.services and not arguments.structures:
        fail("impossible de générer des services sans structure : indiquez --structures.")
    try:
        geography = Geography.from_csv(arguments.communes, codes)
    except FileNotFoundError:
        fail(
            f"fichier des communes introuvable : {arguments.communes}. Indiquez-le avec --communes, ou son "
            "dossier avec la variable d'environnement SHARED_DATA_DIR."
        )
    except ValueError as error:
        fail(f"{arguments.communes} : {error}")
    started = time.monotonic()
    generator = Generator(vocabulary.load(), geography, seed=arguments.seed)
    generator.write(arguments.out, structures=arguments.structures, services=arguments.services)
    sources = ", ".join(f"{source} {number}" for source, number in sorted(generator.sources.items()))
    structures, services = (f"{number:,}".replace(",", " ") for number in (arguments.structures, arguments.services))
    print(
        f"Jeu de démonstration : {structures} structures, {services} services écrits dans {arguments.out} en "
        f"{time.monotonic() - started:.1f} s.\nDoublons inter-sources : {generator.duplicates}. Sources : {sources}."
    )


def fail(message: str) -> NoReturn:
    parser.exit(2, f"Erreur : {message}\n")


if __name__ == "__main__":
    main()
