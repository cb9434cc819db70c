"""Random and malicious input on every public URL, in headers, and on the admin: never a 500, never reflected
markup.

2,800 generated requests per run (counts below). Allowed answers: 200, 400 (French message),
404, 410; 302 after the report form (its success) and on the admin (its redirections); 405 for a wrong
method is tested apart (Django's empty body). Rate limits (429) are reset before each example, so that every
example reaches the view.
"""

from urllib.parse import quote

import pytest
from django.core.cache import cache, caches
from hypothesis import given
from hypothesis import strategies as st

from tests.communes.factories import CommuneFactory
from tests.hostile_values import (
    check_answer,
    encode,
    forwarded_for,
    header_text,
    hostile,
    hostile_value,
    parameters,
    query_string,
    record_id,
)
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

OK_OR_REFUSED = {200, 400, 404, 410}
SERVICE_ID = "dora--service-fixe"
STRUCTURE_ID = "dora--structure-fixe"


@pytest.fixture
def dataset():
    CommuneFactory(code_insee="59350", nom="Lille", codes_postaux=["59000", "59800"], population=238246)
    CommuneFactory(code_insee="75056", nom="Paris", codes_postaux=["75001"], departement="75", population=2100000)
    structure = StructureFactory(id=STRUCTURE_ID, nom="Centre social Pagnol")
    ServiceFactory(id=SERVICE_ID, structure=structure)
    ServiceFactory(id="dora--service-retire", structure=structure, is_published=False)
    ServiceFactory(id="dora--a-distance", structure=structure, modes_accueil=["a-distance"], zone_eligibilite=None)


def reset_limits():
    """Each example must reach the view: no cached answer, no rate-limit counter."""
    cache.clear()
    caches["rate_limits"].clear()


def get(client, path, pairs, **headers):
    reset_limits()
    return client.get(path, QUERY_STRING=query_string(pairs), **headers)


@hostile(450)
@given(pairs=parameters, path=st.sampled_from(["/", "/services/"]))
def test_search_page(client, dataset, pairs, path):
    response = get(client, path, pairs)
    if path == "/" and response.status_code == 302:  # a former link to the search: the results
        assert response["Location"].startswith("/services/?")
        response = client.get(response["Location"])
    check_answer(response, [value for pair in pairs for value in pair], OK_OR_REFUSED)


@hostile(350)
@given(pairs=parameters)
def test_search_fragment(client, dataset, pairs):
    response = get(client, "/services/", pairs, HTTP_HX_REQUEST="true")
    check_answer(response, [value for pair in pairs for value in pair], OK_OR_REFUSED)


@hostile(300)
@given(pairs=parameters)
def test_export(client, dataset, pairs):
    check_answer(get(client, "/services/export.csv", pairs), [v for pair in pairs for v in pair], {200, 400})


@hostile(400)
@given(
    pairs=st.lists(st.tuples(st.sampled_from(["q", "format", "limit"]), hostile_value), max_size=4),
    accept=st.sampled_from(["application/json", "text/html", "*/*", "application/json;q=0.1, text/html", "<x>"]),
)
def test_commune_autocomplete(client, dataset, pairs, accept):
    response = get(client, "/communes/autocomplete/", pairs, HTTP_ACCEPT=accept)
    check_answer(response, [value for pair in pairs for value in pair], {200, 400})


@hostile(350)
@given(record=record_id, pairs=parameters, kind=st.sampled_from(["services", "structures"]))
def test_detail_pages(client, dataset, record, pairs, kind):
    response = get(client, f"/{kind}/{encode(record)}/", pairs)
    check_answer(response, [record, *(value for pair in pairs for value in pair)], OK_OR_REFUSED)


@hostile(250)
@given(
    record=st.one_of(st.just(SERVICE_ID), st.just("dora--service-retire"), record_id),
    fields=st.lists(
        st.tuples(
            st.sampled_from(["reason", "message", "email", "website", "service", "status", "csrfmiddlewaretoken"]),
            st.one_of(hostile_value, st.sampled_from(["autre", "horaires", "coordonnees"])),
        ),
        max_size=6,
    ),
)
def test_report_form(client, dataset, record, fields):
    reset_limits()
    # Encoded here: the test client cannot encode lone surrogates, a raw client can send their bytes.
    body = query_string(fields)
    response = client.post(f"/services/signaler/{encode(record)}/", body, "application/x-www-form-urlencoded")
    check_answer(response, [record, *(value for pair in fields for value in pair)], {302, 400, 404, 410})
    if response.status_code == 302:
        assert response["Location"].startswith(f"/services/{quote(SERVICE_ID)}/")


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/services/"), ("post", "/services/export.csv"), ("get", f"/services/signaler/{SERVICE_ID}/")],
)
def test_wrong_method_is_405(client, dataset, method, path):
    assert getattr(client, method)(path).status_code == 405


@hostile(250)
@given(
    forwarded=forwarded_for,
    hx=st.one_of(st.none(), st.just("true"), header_text),
    path=st.sampled_from(
        [
            "/communes/autocomplete/?q=lil",
            "/services/export.csv",
            "/services/?q=atelier",
            f"/services/{SERVICE_ID}/",
            f"/structures/{STRUCTURE_ID}/",
        ]
    ),
)
def test_headers(client, dataset, forwarded, hx, path):
    """X-Forwarded-For from the trusted local proxy (the test client's address), htmx's header: anything."""
    reset_limits()
    headers = {"HTTP_X_FORWARDED_FOR": forwarded, **({"HTTP_HX_REQUEST": hx} if hx is not None else {})}
    check_answer(client.get(path, **headers), [forwarded], {200, 400})


ADMIN_LISTS = ["/admin/services/service/", "/admin/structures/structure/", "/admin/imports/importrun/"]
ADMIN_PARAMETERS = [
    "q",
    "o",
    "p",
    "groupe",
    "departement",
    "commune",
    "source__exact",
    "structure__id__exact",
    "thematiques",
    "publication",
    "score",
    "qualite",
    "status__exact",
    "e",
]


@hostile(300)
@given(
    path=st.sampled_from([*ADMIN_LISTS, "/admin/curation/tableau-de-bord/", "/admin/curation/doublons/"]),
    pairs=st.lists(st.tuples(st.one_of(st.sampled_from(ADMIN_PARAMETERS), hostile_value), hostile_value), max_size=4),
)
def test_admin_lists(admin_client, dataset, path, pairs):
    response = admin_client.get(path, QUERY_STRING=query_string(pairs))
    check_answer(response, [value for pair in pairs for value in pair], {200, 302, 400})


@hostile(150)
@given(
    path=st.sampled_from(ADMIN_LISTS[:2]),
    record=record_id,
    action=st.sampled_from(["change/", "history/", "delete/", "masquer/", "publier/"]),
)
def test_admin_object_pages(admin_client, dataset, path, record, action):
    response = admin_client.get(f"{path}{encode(record)}/{action}")
    check_answer(response, [record], {200, 302, 400, 404})
