import factory

from communes.models import Commune


class CommuneFactory(factory.django.DjangoModelFactory):
    """A commune of the Nord by default. For a subdivision pass `type` and `parent`."""

    class Meta:
        model = Commune

    # 59001, 59002…: plausible codes that stay within five digits for the whole test session.
    code_insee = factory.Sequence(lambda n: f"{59001 + n:05d}")
    type = Commune.Type.COMMUNE
    nom = factory.Sequence(lambda n: f"Commune numéro {n}")
    codes_postaux = factory.LazyFunction(lambda: ["59000"])
    departement = factory.LazyAttribute(lambda commune: commune.code_insee[:2])
    region = "32"
    epci = "200093201"
    population = 1000
    latitude = 50.63
    longitude = 3.06
    parent = None
