"""Admin pages of the curation: the quality dashboard and the duplicate clusters.

Served inside the admin (``admin_view``: staff login, admin layout); reading needs the view
permission on services or structures, deciding on duplicates the change permission on
structures.
"""

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from curation import dashboard as figures
from curation import duplicates as clusters
from curation import quality
from structures.models import Structure
from structures.sources import source_name

GROUPS_PER_PAGE = 20


@require_GET
@permission_required("services.view_service", raise_exception=True)
def dashboard(request):
    context = {
        **admin.site.each_context(request),
        "title": "Tableau de bord de la qualité des données",
        **figures.context(),
    }
    return TemplateResponse(request, "admin/curation/dashboard.html", context)


@require_GET
@permission_required("structures.view_structure", raise_exception=True)
def duplicates(request):
    structures = Structure.objects.all()
    departement = request.GET.get("departement", "")
    group = request.GET.get("groupe", "")
    if departement:
        structures = quality.in_departement(structures, departement)
    if group:
        structures = structures.filter(duplicate_group=group)
    paginator = Paginator(clusters.groups(structures), GROUPS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    ids = [row["duplicate_group"] for row in page.object_list]
    members: dict[str, list] = {group_id: [] for group_id in ids}
    for structure in Structure.objects.filter(duplicate_group__in=ids).order_by("source", "id"):
        structure.source_name = source_name(structure.source)
        members[structure.duplicate_group].append(structure)
    context = {
        **admin.site.each_context(request),
        "title": "Doublons de structures",
        "page": page,
        "groups": [{"id": group_id, "members": members[group_id]} for group_id in ids],
        "departements": quality.DEPARTEMENT_CHOICES,
        "departement": departement,
        "group": group,
        "can_change": request.user.has_perm("structures.change_structure"),
        "opts": Structure._meta,
    }
    return TemplateResponse(request, "admin/curation/duplicates.html", context)


def _decision(request):
    structure = get_object_or_404(Structure, pk=request.POST.get("structure", ""))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("curation:duplicates")
    return structure, HttpResponseRedirect(back or reverse("curation:duplicates"))


@require_POST
@permission_required("structures.change_structure", raise_exception=True)
def not_duplicate(request):
    structure, response = _decision(request)
    clusters.mark_not_duplicate(structure, user=request.user)
    messages.success(
        request, f"« {structure.nom} » ({structure.source}) n'est plus regroupée avec d'autres structures."
    )
    return response


@require_POST
@permission_required("structures.change_structure", raise_exception=True)
def representative(request):
    structure, response = _decision(request)
    if not structure.duplicate_group:
        messages.warning(request, "Cette structure n'est dans aucun groupe de doublons.")
        return response
    clusters.choose_representative(structure, user=request.user)
    messages.success(request, f"« {structure.nom} » ({structure.source}) représente désormais son groupe.")
    return response
