"""Curators' saves for the load test: renames one service after the other, as the admin's change form saves them
(one refresh of the derived data and one new data version per save: services.search_index), and prints, for each,
the word it put in the name and when the change was committed (Unix time, one JSON object a line).

Run by bench.loadtest with DATABASE_URL set: `python -m bench.curator_saves --count 100 --interval 1.5`.
"""

import argparse
import json
import os
import secrets
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--interval", type=float, default=1.5, help="seconds between two saves")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inclusion_site.settings.dev")
    import django

    django.setup()
    from django.db import transaction

    from services import search_index
    from services.models import Service

    published = Service.objects.published().order_by("id").values_list("id", flat=True)
    ids = list(published[: args.count * 7 : 7])
    for service_id in ids:
        word = f"zz{secrets.token_hex(4)}"  # a word no other service holds
        with transaction.atomic(), search_index.batch(rescore=True):
            service = Service.objects.get(pk=service_id)
            service.nom = f"{service.nom[:120]} {word}"
            service.save()
        print(json.dumps({"id": service_id, "word": word, "committed": time.time()}), flush=True)
        time.sleep(args.interval)
    sys.stdout.close()


if __name__ == "__main__":
    main()
