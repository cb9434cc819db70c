"""Our Scorer gives exactly the official score_qualite."""

import datetime

import pytest
from data_inclusion.schema import v1
from data_inclusion.schema.v1 import score_qualite

from services.scoring import Scorer
from tests.imports.conftest import load_fixture

VARIATIONS = [
    {},
    {"date_maj": str(datetime.date.today())},
    {"date_maj": "2019-05-01"},
    {"date_maj": str(datetime.date.today() - datetime.timedelta(days=400))},
    {"source": "france-travail", "date_maj": "2019-05-01"},
    {"modes_mobilisation": None, "mobilisable_par": None, "telephone": None},
    {"frais": "payant", "frais_precisions": None},
    {"description": "Court."},
    {"publics": None, "thematiques": None, "courriel": None, "lien_mobilisation": None},
]


@pytest.mark.parametrize("variation", VARIATIONS)
def test_scorer_equals_the_official_score(variation):
    scorer = Scorer()
    for record in load_fixture("services.json"):
        service = v1.Service.model_validate({**record, **variation})
        assert scorer.score(service) == score_qualite.score(service)[0]
