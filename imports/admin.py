from django.contrib import admin
from django.utils.html import format_html, format_html_join

from imports import runs
from imports.models import ImportRun, RejectedRecord


class RejectedRecordInline(admin.TabularInline):
    model = RejectedRecord
    fields = ["kind", "record_id", "source", "field", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    max_num = 0


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "origin", "full", "created_summary", "rejected_count"]
    list_filter = ["status", "full"]
    search_fields = ["origin", "sources", "message"]
    list_select_related = []
    date_hierarchy = "started_at"
    readonly_fields = [
        "started_at",
        "finished_at",
        "origin",
        "sources",
        "full",
        "status",
        "rejections_by_reason",
        "counts",
        "timings",
        "message",
        "host",
        "pid",
    ]
    inlines = [RejectedRecordInline]

    # A run "en cours" whose process is gone shows as interrupted (imports.runs).
    def changelist_view(self, request, extra_context=None):
        runs.mark_interrupted()
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        runs.mark_interrupted()
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="créés (structures / services)")
    def created_summary(self, run):
        counts = run.counts or {}
        return f"{counts.get('structures', {}).get('creees', 0)} / {counts.get('services', {}).get('creees', 0)}"

    @admin.display(description="rejets par motif")
    def rejections_by_reason(self, run):
        counts = run.counts or {}
        rows = [
            (kind, reason["nombre"], reason["champ"], reason["motif"])
            for kind in ("structures", "services")
            for reason in counts.get(kind, {}).get("rejets_par_motif", [])
        ]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} : {} × [{}] {}</li>", rows))

    @admin.display(description="rejetés (structures / services)")
    def rejected_count(self, run):
        counts = run.counts or {}
        return f"{counts.get('structures', {}).get('rejetees', 0)} / {counts.get('services', {}).get('rejetees', 0)}"


@admin.register(RejectedRecord)
class RejectedRecordAdmin(admin.ModelAdmin):
    list_display = ["record_id", "kind", "source", "field", "message", "run"]
    list_filter = ["kind", "source", "field"]
    search_fields = ["record_id", "message"]
    list_select_related = ["run"]
    readonly_fields = ["run", "kind", "record_id", "source", "field", "message"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
