from django.contrib import admin
from django.urls import include, path, register_converter

from inclusion_site import legal
from services import views as service_views
from structures.converters import RecordIdConverter

# Detail URLs carry upstream ids (services and structures), registered once for both apps.
register_converter(RecordIdConverter, "record_id")

urlpatterns = [
    path("", service_views.home, name="home"),
    # Readiness for the load balancer: the worker holds the search index of the current data.
    path("sante/pret/", service_views.ready, name="ready"),
    path("services/", include("services.urls")),
    # Short, at the root: the link people send by SMS.
    path("selection/", service_views.selection, name="selection"),
    path(
        "structures/",
        include(([path("<record_id:structure_id>/", service_views.structure_detail, name="detail")], "structures")),
    ),
    path("communes/", include("communes.urls")),
    path("territoires/", include("territories.urls")),
    path("accessibilite/", legal.accessibility, name="accessibility"),
    path("mentions-legales/", legal.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", legal.personal_data, name="personal_data"),
    path("admin/curation/", include("curation.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "inclusion_site.errors.server_error"
