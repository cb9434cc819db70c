import datetime

import pytest
from django.contrib.auth.models import Group, User

from services.models import ErrorReport, Service
from structures.models import Structure
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

THEMATIQUES = [
    ["numerique--maitriser-les-fondamentaux-du-numerique"],
    ["mobilite--preparer-un-permis", "trouver-un-emploi--repondre-a-des-offres-demploi"],
    ["sante--acces-aux-soins"],
]


def staff_user(username: str, group: str | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password="un mot de passe solide", is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def superuser():
    return staff_user("admin", is_superuser=True)


@pytest.fixture
def curator():
    return staff_user("camille", "curateur")


@pytest.fixture
def reader():
    return staff_user("lou", "lecteur")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


@pytest.fixture
def service():
    """A service whose id has the characters upstream ids may contain."""
    return ServiceFactory(
        id="dora--atelier numérique/#1 ?%",
        structure=StructureFactory(id="dora--centre social/é", nom="Centre social Pagnol"),
        nom="Atelier numérique pour débutants",
        telephone="03 20 00 00 00",
    )


@pytest.fixture
def national_shape():
    """A few thousand records with the variety of national data (bulk-created: no history).

    3,000 services over 1,000 structures, several sources and départements, some hidden,
    removed upstream, corrected, stale, badly scored, without contact or with unreadable hours,
    duplicates and error reports.
    """
    today = datetime.date.today()
    sources = ["dora", "soliguide", "mediation-numerique", "france-travail"]
    communes = [("59350", "59000", "Lille"), ("69123", "69001", "Lyon"), ("97411", "97400", "Saint-Denis")]
    structures = []
    for index in range(1000):
        code_insee, code_postal, commune = communes[index % 3]
        structures.append(
            Structure(
                id=f"{sources[index % 4]}--structure {index}/x",
                source=sources[index % 4],
                nom=f"Structure {index:04d}",
                date_maj=today - datetime.timedelta(days=index % 700),
                siret=f"{index // 2:014d}" if index % 10 == 0 else None,
                commune=commune,
                code_postal=code_postal,
                code_insee=code_insee if index % 7 else None,
                latitude=45.0 if index % 5 else None,
                longitude=4.0 if index % 5 else None,
                telephone="01 02 03 04 05" if index % 4 else None,
                horaires_accueil=["Mo-Fr 09:00-12:00", "Du lundi au vendredi", None][index % 3],
                score_qualite=(index % 10) / 10,
                duplicate_group=f"{sources[0]}--structure {index - index % 2}/x" if index % 10 < 2 else None,
                is_published=index % 50 != 0,
                unpublished_reason="masque-par-un-curateur" if index % 50 == 0 else "",
            )
        )
    Structure.objects.bulk_create(structures)
    services = []
    for index in range(3000):
        structure = structures[index % 1000]
        services.append(
            Service(
                id=f"{structure.source}--service {index}",
                source=structure.source,
                structure_id=structure.id,
                nom=f"Service {index:04d}",
                description="Un service d'accompagnement.",
                date_maj=today - datetime.timedelta(days=index % 800),
                thematiques=THEMATIQUES[index % 3],
                publics=["tous-publics"],
                modes_accueil=["en-presentiel"] if index % 6 else ["a-distance"],
                commune=structure.commune,
                code_postal=structure.code_postal,
                code_insee=structure.code_insee,
                latitude=structure.latitude,
                longitude=structure.longitude,
                courriel="contact@example.org" if index % 3 else None,
                horaires_accueil=structure.horaires_accueil,
                score_qualite=(index % 10) / 10,
                is_published=index % 40 != 0,
                unpublished_reason=["masque-par-un-curateur", "retire-par-la-source"][index % 80 // 40]
                if index % 40 == 0
                else "",
                curated_fields=["nom"] if index % 100 == 0 else [],
                upstream_values={"nom": f"Service {index:04d}" if index % 200 else "Ancien nom"}
                if index % 100 == 0
                else {},
            )
        )
    Service.objects.bulk_create(services, batch_size=1000)
    ErrorReport.objects.bulk_create(
        [
            ErrorReport(
                service_id=services[index * 7].id,
                reason=ErrorReport.Reason.HOURS,
                message="Les horaires ont changé.",
                status=ErrorReport.Status.NEW if index % 2 else ErrorReport.Status.HANDLED,
            )
            for index in range(60)
        ]
    )
    return {"structures": structures, "services": services}
