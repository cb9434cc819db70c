"""The back office: the admins of structures, services and visitors' error reports (curation.record_admin
holds what the structures' and services' admins share)."""

from data_inclusion.schema import v1
from django.contrib import admin, messages
from django.db.models import OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from simple_history.admin import SimpleHistoryAdmin

from curation import duplicates as clusters
from curation import filters, history
from curation.lists import count_of
from curation.record_admin import CurationAdmin
from services.models import ErrorReport, Service
from structures.models import Structure
from structures.schema import enum_label


def categories_display(thematiques) -> str:
    """The categories of a service's thématiques, as labels."""
    slugs = sorted({value.split("--")[0] for value in thematiques or []})
    return ", ".join(enum_label(v1.Categorie, slug) for slug in slugs) or "–"


def link(url: str, text) -> str:
    return format_html('<a href="{}">{}</a>', url, text)


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
        services = Service.objects.filter(structure=OuterRef("pk"))
        return super().get_queryset(request).annotate(services_count=count_of(services, "structure"))

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

    def after_save(self, request, obj, form):
        if "not_duplicate" in form.changed_data:
            # Clusters are transitive: recompute them all, as the import does.
            clusters.recompute_all_groups()
        if "preferred_in_group" in form.changed_data and obj.preferred_in_group:
            # One representative per cluster.
            clusters.choose_representative(obj, user=request.user)


class ErrorReportInline(admin.TabularInline):
    """Visitors' reports about the service; each one is handled on its own page."""

    model = ErrorReport
    fields = ["created_at", "reason", "message", "status"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(CurationAdmin):
    list_display = [
        "nom",
        "structure",
        "commune",
        "source",
        "categories",
        "date_maj",
        "score",
        "publication",
        "is_corrected",
        "open_reports_link",
    ]
    list_filter = [*filters.COMMON_FILTERS]
    # The service's own columns only: a join in the search makes every search scan both tables.
    search_fields = ["nom", "=id", "commune", "=code_postal"]
    list_select_related = ["structure"]
    list_deferred = [
        *CurationAdmin.list_deferred,
        "search_document",
        "publics_precisions",
        "conditions_acces",
        "frais_precisions",
        "mobilisation_precisions",
        *(f"structure__{name}" for name in ("description", "search_name", "upstream_values", "source_hash")),
    ]
    autocomplete_fields = ["structure"]
    inlines = [ErrorReportInline]
    fieldsets = [
        ("Identification", {"fields": ["id", "source", "structure", "nom", "date_maj", "lien_source"]}),
        ("Présentation", {"fields": ["description", "type", "thematiques"]}),
        (
            "Publics et conditions",
            {"fields": ["publics", "publics_precisions", "conditions_acces", "zone_eligibilite"]},
        ),
        (
            "Frais et durée",
            {"fields": ["frais", "frais_precisions", "volume_horaire_hebdomadaire", "nombre_semaines"]},
        ),
        (
            "Adresse et accueil",
            {
                "fields": [
                    "modes_accueil",
                    "adresse",
                    "complement_adresse",
                    "commune",
                    "code_postal",
                    "code_insee",
                    ("latitude", "longitude"),
                ]
            },
        ),
        ("Horaires", {"fields": ["horaires_accueil"]}),
        ("Contact", {"fields": ["telephone", "courriel", "contact_nom_prenom"]}),
        (
            "Mobilisation",
            {"fields": ["modes_mobilisation", "mobilisable_par", "lien_mobilisation", "mobilisation_precisions"]},
        ),
        ("Publication", {"fields": [*CurationAdmin.publication_fields, *CurationAdmin.bookkeeping_fields]}),
    ]

    url_lookups = frozenset({"structure__id__exact"})  # a structure's "voir ses services" link
    siret_lookup = "structure__siret__startswith"  # the services of a structure, by its SIRET (or SIREN)

    def get_queryset(self, request):
        reports = ErrorReport.objects.filter(service=OuterRef("pk"), status=ErrorReport.Status.NEW)
        return super().get_queryset(request).annotate(open_reports=count_of(reports, "service"))

    @admin.display(description="thématiques")
    def categories(self, service):
        return categories_display(service.thematiques)

    @admin.display(description="signalements")
    def open_reports_link(self, service):
        if not service.open_reports:
            return "–"
        query = urlencode({"service__id__exact": service.pk, "status__exact": ErrorReport.Status.NEW})
        return link(
            reverse("admin:services_errorreport_changelist") + "?" + query, f"{service.open_reports} nouveau(x)"
        )


@admin.register(ErrorReport)
class ErrorReportAdmin(SimpleHistoryAdmin):
    list_display = ["created_at", "service_link", "reason", "short_message", "status", "handled_at"]
    list_filter = ["status", "reason", "created_at"]
    search_fields = ["=service__id", "service__nom", "message", "email"]
    list_select_related = ["service"]
    readonly_fields = ["service_link", "reason", "message", "email", "created_at", "handled_at"]
    fields = ["service_link", "reason", "message", "email", "created_at", "status", "handled_at"]
    actions = ["mark_handled", "mark_new"]
    object_history_template = "admin/curation/object_history.html"
    object_history_list_template = "admin/curation/object_history_list.html"

    def has_add_permission(self, request):
        return False  # visitors send reports from the service page

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def revert_disabled(self, request, obj=None):
        return True

    def history_view_title(self, request, obj):
        return f"Historique : {obj}"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404  # no revert page (see curation.admin.CurationAdmin)

    @admin.display(description="service", ordering="service__nom")
    def service_link(self, report):
        url = reverse("admin:services_service_change", args=[admin.utils.quote(report.service_id)])
        return link(url, report.service.nom)

    @admin.display(description="message")
    def short_message(self, report):
        return report.message if len(report.message) <= 80 else report.message[:79] + "…"

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            obj.handled_at = timezone.now() if obj.status == ErrorReport.Status.HANDLED else None
        super().save_model(request, obj, form, change)

    @admin.action(description="Marquer comme traité", permissions=["change"])
    def mark_handled(self, request, queryset):
        done = history.update_with_history(
            queryset.exclude(status=ErrorReport.Status.HANDLED),
            values={"status": ErrorReport.Status.HANDLED, "handled_at": timezone.now()},
            user=request.user,
            reason="Traité",
        )
        self.message_user(request, f"{len(done)} signalement(s) marqué(s) comme traité(s).", messages.SUCCESS)

    @admin.action(description="Remettre à traiter", permissions=["change"])
    def mark_new(self, request, queryset):
        done = history.update_with_history(
            queryset.exclude(status=ErrorReport.Status.NEW),
            values={"status": ErrorReport.Status.NEW, "handled_at": None},
            user=request.user,
            reason="Remis à traiter",
        )
        self.message_user(request, f"{len(done)} signalement(s) remis à traiter.", messages.SUCCESS)
