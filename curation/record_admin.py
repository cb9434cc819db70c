"""What the structures and services admins share (curation.admin registers them): curators' daily tool.

- Lists stay fast on 140,000 rows: no full count, an estimated count when unfiltered, the
  default order read from an index, computed columns annotated in ``get_queryset``.
- Saving runs the official schema validation (``UpstreamRecord.clean``), errors per field in
  French; an edited schema field becomes a correction that imports keep (``curated_fields``),
  and the change form can restore the upstream value.
- Hide and publish, one record or many, always with a reason; every change goes to the
  record's history, field by field.
"""

import re

from data_inclusion.schema import v1
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.forms.models import ModelForm
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from curation import corrections, history
from curation.history import LabelledHistoryHelper
from curation.lists import CurationChangeList, EstimatedCountPaginator, LinkedLookupsOnly
from curation.publication import PublicationForm, hide_records, publish_records
from services import search_index
from structures.records import UnpublishedReason

admin.site.site_header = "Curation — Trouver un service d'insertion"
admin.site.site_title = "Curation"
admin.site.index_title = "Données de l'offre d'insertion"

PREVIEW_LIMIT = 20


def thematiques_choices():
    """Thématiques grouped by their category, for a readable checkbox list."""
    groups = []
    for categorie in v1.Categorie:
        members = [(t.value, t.label) for t in v1.Thematique if t.value.startswith(f"{categorie.value}--")]
        groups.append((categorie.label, members))
    return groups


class CurationForm(ModelForm):
    """Model validation errors land on the form's fields, whatever the schema calls them."""

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, forms.MultipleChoiceField) and data.get(name):
                # Sets are stored sorted, as imports store them.
                data[name] = sorted(data[name])
        return data

    def _update_errors(self, errors):
        if not hasattr(errors, "error_dict"):
            return super()._update_errors(errors)
        remapped = {}
        for name, error_list in errors.error_dict.items():
            target = name.removesuffix("_id") if name.endswith("_id") and name != "id" else name
            if target in self.fields or target == NON_FIELD_ERRORS:
                remapped.setdefault(target, []).extend(error_list)
            else:
                # A field the form does not show (read-only): say which one.
                try:
                    label = capfirst(str(self.instance._meta.get_field(target).verbose_name))
                except FieldDoesNotExist:
                    label = target
                for error in error_list:
                    for message in error.messages:
                        remapped.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(f"{label} : {message}"))
        return super()._update_errors(ValidationError(remapped))


class CurationAdmin(LinkedLookupsOnly, SimpleHistoryAdmin):
    """Base admin of Structure and Service."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    list_max_show_all = 500
    form = CurationForm
    change_form_template = "admin/curation/change_form.html"
    object_history_template = "admin/curation/object_history.html"
    object_history_list_template = "admin/curation/object_history_list.html"
    history_list_per_page = 50
    actions = ["hide", "publish"]
    save_on_top = True
    list_deferred = ["description", "upstream_values", "source_hash"]
    # Changed only through the hide and publish actions (a reason is required), or by imports.
    publication_fields = ["is_published", "unpublished_reason", "unpublished_note"]
    bookkeeping_fields = ["score_qualite", "corrections_summary", "created_at", "updated_at"]

    # Permissions: curators edit and hide, readers only read, only superusers delete or add.
    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def revert_disabled(self, request, obj=None):
        # Reverting a whole version would bypass corrections bookkeeping: edit instead.
        return True

    def get_changelist(self, request, **kwargs):
        return CurationChangeList

    def history_view_title(self, request, obj):
        return f"Historique : {obj}"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history's revert page saves a whole old version on POST, for anyone who
        # may view the record: not offered here (the history list shows every change).
        raise Http404

    def get_historical_record_context_helper(self, request, historical_record):
        return LabelledHistoryHelper(self.model, historical_record)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            actions.pop("hide", None)
            actions.pop("publish", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        readonly = [*self.publication_fields, *self.bookkeeping_fields]
        if obj is not None:
            readonly = ["id", "source", *readonly]
        return readonly

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, ArrayField) and db_field.base_field.choices:
            choices = thematiques_choices() if db_field.name == "thematiques" else db_field.base_field.choices
            return forms.MultipleChoiceField(
                label=capfirst(db_field.verbose_name),
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "enum-checkboxes"}),
                help_text=db_field.help_text,
            )
        if isinstance(db_field, models.URLField):
            # "exemple.org" becomes https://exemple.org (Django 6's default, without its warning).
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        for column in getattr(obj, "curated_fields", None) or []:
            name = column.removesuffix("_id") if column == "structure_id" else column
            if name in form.base_fields:
                upstream = self.display_value(column, (obj.upstream_values or {}).get(column))
                form.base_fields[name].help_text = f"Corrigé par un curateur. Valeur de la source : {upstream}"
        return form

    # Search: exact, indexed lookups for what looks like a SIRET, a postal code or an id.
    # The SIRET the records are found by (a SIREN finds every establishment): the structure's.
    siret_lookup = "siret__startswith"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if re.fullmatch(r"\d{5}", term):
            return queryset.filter(Q(code_postal=term) | Q(code_insee=term)), False
        if term.isdigit() and len(term) in (9, 14):
            return queryset.filter(**{self.siret_lookup: term}), False
        if "--" in term and queryset.filter(pk=term).exists():
            return queryset.filter(pk=term), False
        return super().get_search_results(request, queryset, search_term)

    # Columns.
    @admin.display(description="publication")
    def publication(self, record):
        if not record.is_published:
            return record.get_unpublished_reason_display() or "Non publié"
        structure = getattr(record, "structure", None)
        if structure is not None and not structure.is_published:
            return "Structure non publiée"
        return "Publié"

    @admin.display(description="score", ordering="score_qualite")
    def score(self, record):
        return "–" if record.score_qualite is None else f"{record.score_qualite:.2f}".replace(".", ",")

    @admin.display(description="corrigé", boolean=True)
    def is_corrected(self, record):
        return bool(record.curated_fields)

    @admin.display(description="corrections")
    def corrections_summary(self, record):
        if not record.curated_fields:
            return "Aucune : toutes les valeurs viennent de la source."
        return ", ".join(str(self.label_of(column)) for column in record.curated_fields)

    def label_of(self, column: str) -> str:
        field = next(field for field in self.model._meta.concrete_fields if field.attname == column)
        return capfirst(str(field.verbose_name))

    def display_value(self, column: str, value) -> str:
        """A stored (JSON) value as people read it: labels of enum values, « vide » for none."""
        if value in (None, "", []):
            return "(vide)"
        field = next(field for field in self.model._meta.concrete_fields if field.attname == column)
        choices = dict(getattr(getattr(field, "base_field", None), "choices", None) or field.choices or [])
        if isinstance(value, list):
            return ", ".join(str(choices.get(item, item)) for item in value)
        return str(choices.get(value, value))

    # Saving: what is derived from the record (search index, scores) follows in one refresh at the end
    # (services.search_index), whatever the save touches.
    def save_model(self, request, obj, form, change):
        # A curator's edit is scored again with the official criteria.
        with search_index.batch(rescore=True):
            if change:
                history.record_imported_state(self.model, [obj.pk])
                columns = [column for name in form.changed_data if (column := corrections.column_of(self.model, name))]
                if columns:
                    corrections.record_corrections(obj, columns, corrections.stored_values(obj))
                obj._change_reason = "Correction par un curateur"
            super().save_model(request, obj, form, change)
            self.after_save(request, obj, form)

    def after_save(self, request, obj, form):
        """What a kind of record does once saved, in the same refresh (duplicate groups of structures)."""

    # Extra pages: restore an upstream value, hide, publish.
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        extra = [
            path(
                "<path:object_id>/revenir-a-la-source/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{prefix}_restore",
            ),
            path("<path:object_id>/masquer/", self.admin_site.admin_view(self.hide_view), name=f"{prefix}_hide"),
            path("<path:object_id>/publier/", self.admin_site.admin_view(self.publish_view), name=f"{prefix}_publish"),
        ]
        return extra + super().get_urls()

    def get_object(self, request, object_id, from_field=None):
        # change_view needs the record before the admin loads it: load it once per request.
        cached = getattr(request, "_curation_object", None)
        if cached is not None and cached[0] == (object_id, from_field):
            return cached[1]
        obj = super().get_object(request, object_id, from_field)
        request._curation_object = ((object_id, from_field), obj)
        return obj

    def url(self, name: str, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=[quote(obj.pk)])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            can_change = self.has_change_permission(request, obj)
            extra_context["corrections"] = [
                {
                    "column": column,
                    "label": self.label_of(column),
                    "current": self.display_value(column, corrections.as_json(getattr(obj, column))),
                    "upstream": self.display_value(column, (obj.upstream_values or {}).get(column)),
                }
                for column in obj.curated_fields or []
            ]
            extra_context["restore_url"] = self.url("restore", obj) if can_change else None
            if can_change:
                hidden = obj.unpublished_reason == UnpublishedReason.HIDDEN_BY_CURATOR and not obj.is_published
                extra_context["publication_link"] = (
                    ("Publier à nouveau", self.url("publish", obj)) if hidden else ("Masquer", self.url("hide", obj))
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def restore_view(self, request, object_id):
        return require_POST(self._restore)(request, object_id)

    def _restore(self, request, object_id):
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        column = request.POST.get("field", "")
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(obj.pk)])
        if column not in (obj.curated_fields or []):
            self.message_user(request, "Ce champ n'est pas corrigé.", messages.WARNING)
            return HttpResponseRedirect(change_url)
        label = self.label_of(column)
        with transaction.atomic():
            history.record_imported_state(self.model, [obj.pk])
            corrections.restore_upstream(obj, column)
            try:
                obj.full_clean()
            except ValidationError as error:
                transaction.set_rollback(True)
                text = " ".join(
                    f"{self.label_of(key) if key in corrections.schema_field_names(self.model) else key} : "
                    + " ".join(values)
                    for key, values in error.message_dict.items()
                )
                self.message_user(request, f"Impossible de revenir à la valeur de la source : {text}", messages.ERROR)
                return HttpResponseRedirect(change_url)
            obj._history_user = request.user
            obj._change_reason = f"Retour à la valeur de la source : {label}"
            with search_index.batch(rescore=True):
                obj.save()
        self.message_user(request, f"« {label} » a repris la valeur de la source.", messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def hide_view(self, request, object_id):
        return self._single_publication(request, object_id, hide=True)

    def publish_view(self, request, object_id):
        return self._single_publication(request, object_id, hide=False)

    def _single_publication(self, request, object_id, *, hide: bool):
        obj = get_object_or_404(self.model, pk=unquote(object_id))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        queryset = self.model.objects.filter(pk=obj.pk)
        response = self._publication(request, queryset, hide=hide, single=obj)
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(obj.pk)])
        return response or HttpResponseRedirect(change_url)

    @admin.action(description="Masquer (retirer de la recherche)", permissions=["change"])
    def hide(self, request, queryset):
        return self._publication(request, queryset, hide=True)

    @admin.action(description="Publier à nouveau (annuler un masquage)", permissions=["change"])
    def publish(self, request, queryset):
        return self._publication(request, queryset, hide=False)

    def _publication(self, request, queryset, *, hide: bool, single=None):
        """Ask for the reason, then apply. Returns a response to show, or None once done."""
        form = PublicationForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            if hide:
                with transaction.atomic():
                    done = hide_records(queryset, reason=reason, user=request.user)
                self.message_user(
                    request,
                    f"{len(done)} {self.noun(len(done))} masqué(s) : retiré(s) de la recherche dès maintenant.",
                    messages.SUCCESS,
                )
            else:
                with transaction.atomic():
                    done, skipped = publish_records(queryset, reason=reason, user=request.user)
                text = f"{len(done)} {self.noun(len(done))} publié(s) à nouveau."
                if skipped:
                    text += (
                        f" {skipped} non modifié(s) : seul un masquage par un curateur peut être annulé "
                        "(un enregistrement retiré par la source revient avec elle)."
                    )
                self.message_user(request, text, messages.SUCCESS if done else messages.WARNING)
            return None
        count = queryset.count()
        preview = list(queryset.order_by()[:PREVIEW_LIMIT])
        context = {
            **self.admin_site.each_context(request),
            "title": f"{'Masquer' if hide else 'Publier à nouveau'} : {count} {self.noun(count)}",
            "opts": self.opts,
            "form": form,
            "hide": hide,
            "count": count,
            "preview": preview,
            "more": count - len(preview),
            "single": single,
            "cancel_url": (
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(single.pk)])
                if single is not None
                else request.get_full_path()
            ),
            "action": "hide" if hide else "publish",
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/curation/publication.html", context)

    def noun(self, count: int) -> str:
        return str(self.opts.verbose_name if count == 1 else self.opts.verbose_name_plural)
