import datetime

import factory

from structures.models import Structure


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    source = "dora"
    id = factory.Sequence(lambda n: f"dora--structure-{n}")
    nom = factory.Sequence(lambda n: f"Centre social numéro {n}")
    date_maj = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    commune = "Lille"
    code_postal = "59000"
    code_insee = "59350"
    adresse = "1 rue de la République"
    latitude = 50.63
    longitude = 3.06
