import pytest

from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.services.searching import communes
from tests.structures.factories import StructureFactory


@pytest.fixture
def places():
    return communes()


@pytest.fixture
def lille():
    return CommuneFactory(
        code_insee="59350",
        nom="Lille",
        codes_postaux=["59000"],
        departement="59",
        epci="200093201",
        latitude=50.63046,
        longitude=3.07134,
        population=238246,
    )


@pytest.fixture
def offer(lille):
    """25 on-site services around Lille and 3 remote ones, with varied filters."""
    structure = StructureFactory(nom="Centre social <b>Pagnol</b>", telephone="03 20 00 00 00")
    services = []
    for index in range(25):
        services.append(
            ServiceFactory(
                id=f"dora--svc-{index:02d}",
                structure=structure,
                latitude=lille.latitude + index * 0.001,
                longitude=lille.longitude,
                frais="gratuit" if index % 2 else "payant",
                thematiques=["mobilite--preparer-un-permis"] if index % 3 else ["numerique--acquerir-un-equipement"],
                modes_mobilisation=["telephoner"],
            )
        )
    for index in range(3):
        ServiceFactory(
            id=f"soliguide--remote-{index}",
            source="soliguide",
            modes_accueil=["a-distance"],
            latitude=None,
            longitude=None,
            zone_eligibilite=["france"],
        )
    return services
