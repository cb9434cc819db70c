"""Replica routing on real servers: the test PostgreSQL as primary and a streaming replica of it.

The replica (tests.streaming_replica) is the primary's own data directory copied by pg_basebackup: it holds the
test databases too and replays what tests commit there, so these tests commit (transaction=True) and wait for
the replay before reading. The alias "replica_1" exists only in this module: the rest of the suite runs
without replicas, as development does.
"""

import pytest
from django.db import connections, router
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from inclusion_site.db_router import PrimaryReplicaRouter, ReplicaRoutingMiddleware, reading_from_replica
from services.models import ErrorReport, SearchEntry, Service
from tests.communes.factories import CommuneFactory
from tests.services.factories import ServiceFactory
from tests.streaming_replica import start_replica, stop_replica, wait_for_database, wait_for_replay

HTMX = {"HTTP_HX_REQUEST": "true"}


pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True, databases=["default", "replica_1"])]
CLONE_SUFFIX = "routing"


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup, django_db_blocker):
    """Django settings of a running streaming replica of the test database's server."""
    with django_db_blocker.unblock():
        binaries, settings_dict, directory = start_replica(dict(connections["default"].settings_dict))
    yield settings_dict
    stop_replica(binaries, directory)


@pytest.fixture(scope="module", autouse=True)
def replica(streaming_replica, django_db_setup, django_db_blocker):
    """The alias "replica_1", and "default" moved to a copy of the test database, for this module only.

    Tests here commit (the replica only sees what is committed) and are flushed after: in a copy, the rest of the
    suite keeps the test database's migration rows (the curators' groups). The alias is declared before the
    tests' database fixtures run, so they allow it; as a mirror of "default", it is never flushed."""
    default = connections["default"]
    test_name = default.settings_dict["NAME"]
    assert test_name.startswith("test_"), test_name
    with django_db_blocker.unblock():
        default.close()
        default.creation.clone_test_db(suffix=CLONE_SUFFIX, verbosity=0)
        clone_name = default.creation.get_test_db_clone_settings(CLONE_SUFFIX)["NAME"]
        default.settings_dict["NAME"] = clone_name  # settings.DATABASES["default"] itself
        connections.settings["replica_1"] = {**streaming_replica, "NAME": clone_name, "TEST": {"MIRROR": "default"}}
        wait_for_database(connections.settings["replica_1"])
        yield "replica_1"
        connections["replica_1"].close()
        del connections["replica_1"]
        del connections.settings["replica_1"]
        default.close()
        default.settings_dict["NAME"] = test_name
        default.creation._destroy_test_db(clone_name, verbosity=0)


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


@pytest.fixture
def lille_offer(replica):
    lille = CommuneFactory(
        code_insee="59350", nom="Lille", codes_postaux=["59000"], departement="59", latitude=50.63, longitude=3.07
    )
    service = ServiceFactory(nom="Atelier vélo solidaire", latitude=lille.latitude, longitude=lille.longitude)
    wait_for_replay(connections["default"], connections[replica])
    return service


def test_the_replica_is_a_hot_standby_that_replays_the_primary(replica):
    assert in_recovery(replica) and not in_recovery("default")
    ServiceFactory(nom="Écrit sur le primaire")
    wait_for_replay(connections["default"], connections[replica])
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT nom FROM services_service")
        assert [row[0] for row in cursor.fetchall()] == ["Écrit sur le primaire"]


def test_search_reads_go_to_the_replica(client, replica, lille_offer):
    with (
        CaptureQueriesContext(connections[replica]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get("/services/", {"code_commune": "59350"}, **HTMX)

    assert response.status_code == 200
    assert "Atelier vélo solidaire" in response.content.decode()
    assert on_replica.captured_queries, "the search read nothing from the replica"
    assert not on_primary.captured_queries, [query["sql"] for query in on_primary.captured_queries]
    # The engine's raw SQL takes its connection from the router: a server in recovery.
    with reading_from_replica():
        chosen = router.db_for_read(SearchEntry)
        assert chosen == replica and in_recovery(chosen)


def test_the_autocomplete_and_pages_read_from_the_replica(client, replica, lille_offer):
    with CaptureQueriesContext(connections["default"]) as on_primary:
        assert client.get("/communes/autocomplete/", {"q": "lil"}).status_code == 200
        assert client.get(f"/services/{lille_offer.id}/").status_code == 200
    # Only the autocomplete's rate-limit counter, which every server must share (core.rate_limits).
    assert [query["sql"] for query in on_primary.captured_queries if "rate_limit_counters" not in query["sql"]] == []
    assert len(on_primary.captured_queries) == 1


def test_reads_after_a_write_in_the_same_request_stay_on_the_primary(replica, lille_offer):
    seen = []

    def view(request):
        seen.append(router.db_for_read(Service))
        Service.objects.get(pk=lille_offer.pk)
        ErrorReport.objects.create(service=lille_offer, reason="coordonnees", message="Le numéro a changé.")
        seen.append(router.db_for_read(Service))
        # Found at once: read where it was written, not on a replica that may not have replayed it yet.
        seen.append(ErrorReport.objects.filter(service=lille_offer).exists())
        return None

    middleware = ReplicaRoutingMiddleware(view)
    middleware(RequestFactory().get("/services/"))
    assert seen == [replica, "default", True]
    # The next request starts on a replica again.
    seen.clear()
    middleware(RequestFactory().get("/services/"))
    assert seen[:2] == [replica, "default"]


def test_posts_write_to_the_primary_and_read_nothing_from_the_replica(client, replica, lille_offer):
    with CaptureQueriesContext(connections[replica]) as on_replica:
        response = client.post(
            f"/services/signaler/{lille_offer.id}/",
            {"reason": "service-ferme", "message": "Cet atelier a fermé en septembre."},
        )
    assert response.status_code == 302
    assert not on_replica.captured_queries
    assert ErrorReport.objects.using("default").filter(service=lille_offer).count() == 1


@pytest.mark.parametrize(
    ("method", "path", "cookies"),
    [
        ("get", "/admin/", {}),
        ("get", "/admin/services/service/", {}),
        ("post", "/", {}),
        ("get", "/services/", {"sessionid": "a-logged-in-curator"}),
    ],
)
def test_the_admin_unsafe_methods_and_sessions_read_from_the_primary(replica, method, path, cookies):
    seen = []
    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies)
    ReplicaRoutingMiddleware(lambda request: seen.append(router.db_for_read(Service)))(request)
    assert seen == ["default"]


def test_outside_requests_everything_uses_the_primary(replica):
    """Management commands (imports) read what they write."""
    assert router.db_for_read(Service) == "default"
    assert router.db_for_write(Service) == "default"


def test_replicas_are_never_migrated():
    assert PrimaryReplicaRouter().allow_migrate("replica_1", "services") is False
    assert PrimaryReplicaRouter().allow_migrate("default", "services") is True
