import factory

from communes.models import Commune


class CommuneFactory(factory.django.DjangoModelFactory):
    """A commune of the Nord by default. For a subdivision pass `type` and `parent`."""

    class Meta:
        model = Commune
        skip_postgeneration_save = True

    # 59001, 59002…: plausible codes that stay within five digits for the whole test session.
    code_insee = factory.Sequence(lambda n: f"{59001 + n:05d}")
    type = Commune.Type.COMMUNE
    nom = factory.Sequence(lambda n: f"Commune numéro {n}")
    codes_postaux = factory.LazyFunction(lambda: ["59000"])
    # Overseas départements have three digits: 974 for 97411.
    departement = factory.LazyAttribute(
        lambda commune: commune.code_insee[: 3 if commune.code_insee[:2] == "97" else 2]
    )
    region = "32"
    epci = "200093201"
    population = 1000
    latitude = 50.63
    longitude = 3.06
    parent = None

    @factory.post_generation
    def namesakes(commune, create, extracted, **kwargs):
        """As the import does: labels tell namesakes apart (Commune.label_for)."""
        if create:
            Commune.objects.filter(search_name=commune.search_name).mark_namesakes()
            commune.refresh_from_db(fields=["has_namesake"])
