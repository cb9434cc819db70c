import pytest

from tests.services.searching import communes


@pytest.fixture
def places():
    return communes()
