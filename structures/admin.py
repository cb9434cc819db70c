from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode

from curation import corrections, filters
from curation import duplicates as clusters
from curation.admin import CurationAdmin, categories_display, link
from services.models import Service
from structures.models import Structure


class ServiceInline(admin.TabularInline):
    """The structure's services, to read; each one is edited on its own page."""

    model = Service
    fields = ["nom", "type", "categories", "publication", "date_maj"]
    readonly_fields = fields
    ordering = ["nom", "id"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "services de la structure"

    @admin.display(description="thématiques")
    def categories(self, service):
        return categories_display(service.thematiques)

    @admin.display(description="publication")
    def publication(self, service):
        return "Publié" if service.is_published else service.get_unpublished_reason_display()

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Structure)
class StructureAdmin(CurationAdmin):
    list_display = [
        "nom",
        "siret",
        "commune",
        "code_postal",
        "source",
        "services_count",
        "date_maj",
        "score",
        "publication",
        "is_corrected",
        "duplicates",
    ]
    list_filter = [*filters.COMMON_FILTERS, filters.DuplicateFilter]
    search_fields = ["nom", "=id", "=siret", "commune", "=code_postal", "=code_insee"]
    list_select_related = []
    list_deferred = [*CurationAdmin.list_deferred, "search_name"]
    inlines = [ServiceInline]
    fieldsets = [
        (
            "Identification",
            {"fields": ["id", "source", "nom", "siret", "date_maj", "lien_source", "reseaux_porteurs"]},
        ),
        ("Présentation", {"fields": ["description"]}),
        (
            "Adresse",
            {
                "fields": [
                    "adresse",
                    "complement_adresse",
                    "commune",
                    "code_postal",
                    "code_insee",
                    ("latitude", "longitude"),
                    "accessibilite_lieu",
                ]
            },
        ),
        ("Contact", {"fields": ["telephone", "courriel", "site_web"]}),
        ("Horaires", {"fields": ["horaires_accueil"]}),
        ("Doublons", {"fields": ["duplicate_group", "not_duplicate", "preferred_in_group"]}),
        ("Publication", {"fields": [*CurationAdmin.publication_fields, *CurationAdmin.bookkeeping_fields]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "duplicate_group"]

    def get_queryset(self, request):
        services = (
            Service.objects.filter(structure=OuterRef("pk"))
            .order_by()
            .values("structure")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(services_count=Coalesce(Subquery(services, output_field=IntegerField()), 0))
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit() and len(term) in (9, 14):
            # A SIRET, or a SIREN: the structure's establishments.
            return queryset.filter(siret__startswith=term), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="services")
    def services_count(self, structure):
        url = reverse("admin:services_service_changelist") + "?" + urlencode({"structure__id__exact": structure.pk})
        return link(url, structure.services_count)

    @admin.display(description="doublons")
    def duplicates(self, structure):
        if not structure.duplicate_group:
            return "–"
        url = reverse("curation:duplicates") + "?" + urlencode({"groupe": structure.duplicate_group})
        return link(url, "Voir le groupe")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "not_duplicate" in form.changed_data:
            # Clusters are transitive: recompute them all, as the import does.
            clusters.recompute_all_groups()
        if "preferred_in_group" in form.changed_data and obj.preferred_in_group:
            # One representative per cluster.
            clusters.choose_representative(obj, user=request.user)

    def after_change(self, obj):
        corrections.refresh_search(obj)
