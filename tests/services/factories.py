import datetime

import factory

from services.models import Service
from tests.structures.factories import StructureFactory


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    structure = factory.SubFactory(StructureFactory)
    source = factory.SelfAttribute("structure.source")
    id = factory.Sequence(lambda n: f"dora--service-{n}")
    nom = factory.Sequence(lambda n: f"Atelier numérique {n}")
    description = "Un atelier pour apprendre à utiliser un ordinateur et les services en ligne."
    date_maj = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    type = "atelier"
    thematiques = factory.LazyFunction(lambda: ["numerique--maitriser-les-fondamentaux-du-numerique"])
    publics = factory.LazyFunction(lambda: ["tous-publics"])
    frais = "gratuit"
    modes_accueil = factory.LazyFunction(lambda: ["en-presentiel"])
    zone_eligibilite = factory.LazyFunction(lambda: ["59"])
    commune = "Lille"
    code_postal = "59000"
    code_insee = "59350"
    adresse = "1 rue de la République"
    latitude = 50.63
    longitude = 3.06
