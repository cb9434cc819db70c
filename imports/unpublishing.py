"""Nothing unpublished by accident: what a full import may unpublish, decided before it writes.

A record absent from a full import is unpublished ("retiré par la source"), but only when the
run really speaks for that record: its kind is part of the run (a run without a services file
leaves every service as it is) and its source brought at least one record of that kind (an API
answer of 0 records, e.g. for a token not allowed to see a source, unpublishes nothing). A run
that would still unpublish a large share of a source stops before writing.
"""

from collections import Counter
from dataclasses import dataclass

from imports.validation import Batch
from imports.writer import StoredTable

# A full run that would unpublish more than this share of a source's published records stops
# (a truncated export, a filter upstream): ALLOW_MASS_UNPUBLISH lets it through. Small sources
# lose a record or two in a normal week, so fewer than MASS_UNPUBLISH_MIN_RECORDS never stop it.
MASS_UNPUBLISH_SHARE = 0.2
MASS_UNPUBLISH_MIN_RECORDS = 5
ALLOW_MASS_UNPUBLISH = "--autoriser-depublication-massive"
# French words for each kind: (none received, plural, "published" agreed with the noun).
KIND_LABELS = {
    "structure": ("aucune structure reçue", "structures", "publiées"),
    "service": ("aucun service reçu", "services", "publiés"),
}


class MassUnpublishing(Exception):
    """The run would unpublish too much of a source; the French message names the option."""


@dataclass
class Unpublishing:
    """What a full run unpublishes in one table: ``absent_ids``, the published records of ``sources``
    the run did not bring, and ``counts`` per source as (absent, published)."""

    kind: str
    sources: list[str]
    absent_ids: set[str]
    counts: dict[str, tuple[int, int]]


def plan_unpublishing(
    batch: Batch, wanted: set[str], full: bool, stored: StoredTable, notes: list
) -> Unpublishing | None:
    """Which records this run would unpublish, counted before anything is written.

    Only a kind that is part of the run, and only the sources it holds at least one record of
    (valid or rejected): a source that brought nothing (an API token not allowed to see it, an
    empty answer, a file of other producers) is left as it is, and a note says so when it has
    published records here.
    """
    if not (full and batch.provided and stored):
        return None
    none_received, _plural, published_word = KIND_LABELS[batch.kind]
    published_here = Counter(
        {source: count for source, count in stored.published_by_source().items() if not wanted or source in wanted}
    )
    for source in sorted(set(published_here) - batch.sources):
        notes.append(
            f"Source « {source} » : {none_received} alors que {published_here[source]} sont {published_word} ici ; "
            "rien n'est dépublié pour cette source (réponse vide, ou source non autorisée pour ce jeton ?)."
        )
    # A set difference of the ids read at the start and the ids of this run, valid or rejected: a record
    # present upstream but rejected this time keeps its last valid version.
    # Set differences at C speed: the ids not seen are few in a daily run, and only their sources are looked up.
    unseen = stored.published_ids() - batch.seen_ids - batch.rejected_ids
    absent = {record_id for record_id in unseen if stored.records[record_id].source in batch.sources}
    absent_by_source = Counter(stored.records[record_id].source for record_id in absent)
    counts = {source: (absent_by_source[source], published_here[source]) for source in sorted(batch.sources)}
    return Unpublishing(batch.kind, sorted(batch.sources), absent, counts)


def refuse_mass_unpublishing(plans: dict[str, Unpublishing | None]) -> None:
    excessive = [
        f"{source} : {absent} {KIND_LABELS[plan.kind][1]} sur {published} {KIND_LABELS[plan.kind][2]}"
        for plan in plans.values()
        if plan is not None
        for source, (absent, published) in plan.counts.items()
        if absent >= MASS_UNPUBLISH_MIN_RECORDS and absent > MASS_UNPUBLISH_SHARE * published
    ]
    if excessive:
        raise MassUnpublishing(
            f"Cet import dépublierait plus de {MASS_UNPUBLISH_SHARE:.0%} des enregistrements publiés d'une source "
            f"({' ; '.join(excessive)}) : export incomplet ? Rien n'a été modifié. Si ces retraits sont voulus, "
            f"relancez avec l'option {ALLOW_MASS_UNPUBLISH} (ou --partial pour ne rien dépublier)."
        )
