import pytest

from services.engines import ENGINES


@pytest.fixture(params=ENGINES)
def each_engine(request, settings):
    """Run the test once per search engine (services.engines): both must honour the contract."""
    settings.SEARCH_ENGINE = request.param
    return request.param
