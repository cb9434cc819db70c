"""Curators hide and publish records, always with a reason kept in their history."""

from django import forms

from curation import history
from services import search_index
from services.models import Service
from structures.records import UnpublishedReason


class PublicationForm(forms.Form):
    reason = forms.CharField(
        label="Motif",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Obligatoire. Conservé dans l'historique ; pour un masquage, affiché aux autres curateurs.",
    )


def hide_records(queryset, *, reason: str, user) -> list:
    """Unpublish at once (searches only read published records), with the curator's reason."""
    pks = history.update_with_history(
        queryset,
        values={
            "is_published": False,
            "unpublished_reason": UnpublishedReason.HIDDEN_BY_CURATOR,
            "unpublished_note": reason,
        },
        user=user,
        reason=f"Masqué : {reason}",
    )
    _after_publication(queryset.model, pks)
    return pks


def publish_records(queryset, *, reason: str, user) -> tuple[list, int]:
    """Undo curators' hiding; other unpublished records are left as they are."""
    hidden = queryset.filter(is_published=False, unpublished_reason=UnpublishedReason.HIDDEN_BY_CURATOR)
    total = queryset.count()
    pks = history.update_with_history(
        hidden,
        values={"is_published": True, "unpublished_reason": "", "unpublished_note": ""},
        user=user,
        reason=f"Publié à nouveau : {reason}",
    )
    _after_publication(queryset.model, pks)
    return pks, total - len(pks)


def _after_publication(model, pks):
    """Searches only read published records: the index follows at once."""
    if not pks:
        return
    if model is Service:
        search_index.refresh(service_ids=pks)
    else:
        search_index.refresh(structure_ids=pks)
