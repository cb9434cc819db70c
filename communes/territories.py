"""Territories people steer: France, a région, a département, an intercommunalité (EPCI).

A territory is a set of places of the communes table, by one rule (``Territory.places``): every commune, municipal
arrondissement and commune déléguée or associée of the région or the département; for an EPCI, those whose EPCI is
it — a subdivision's being its parent commune's, as the search contract says. The search (services.scopes) uses
it for the services located in a territory and open to its residents; the territories' pages for their figures.
In URLs and search parameters a territory is written ``france``, ``region-32``, ``departement-59`` or
``epci-200093201``.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q

from communes.departements import DEPARTEMENTS
from communes.models import NATIONAL_CODES, Commune
from communes.regions import REGIONS
from communes.zones import epci_names

FRANCE = "france"
KINDS = (FRANCE, "region", "departement", "epci")


@dataclass(frozen=True)
class Territory:
    kind: str
    code: str = ""
    name: str = "France"
    # The name after « de »: "du Nord", "d'Occitanie", "de l'intercommunalité de Lille".
    of_name: str = field(default="de France", compare=False)

    @classmethod
    def france(cls) -> "Territory":
        return cls(FRANCE)

    @classmethod
    def parse(cls, slug: str | None) -> "Territory | None":
        """The territory a slug names, None when it names none."""
        kind, _, code = (slug or "").partition("-")
        if slug == FRANCE:
            return cls.france()
        if kind == "region" and code in REGIONS:
            return cls(kind, code, *REGIONS[code])
        if kind == "departement" and code in DEPARTEMENTS:
            return cls(kind, code, *DEPARTEMENTS[code])
        if kind == "epci" and len(code) == 9 and code.isdigit():
            return cls.epcis([code]).get(code)
        return None

    @classmethod
    def epcis(cls, codes) -> dict[str, "Territory"]:
        """The EPCIs of these codes that hold communes, named after their most populous commune."""
        return {
            code: cls("epci", code, f"Intercommunalité de {name}", f"de l'intercommunalité de {name}")
            for code, name in epci_names(list(codes)).items()
        }

    @property
    def slug(self) -> str:
        return FRANCE if self.kind == FRANCE else f"{self.kind}-{self.code}"

    @property
    def label(self) -> str:
        """ "Nord (59)", "Hauts-de-France", "Intercommunalité de Lille", "France"."""
        return f"{self.name} ({self.code})" if self.kind == "departement" else self.name

    @property
    def kind_label(self) -> str:
        return {FRANCE: "Pays", "region": "Région", "departement": "Département", "epci": "Intercommunalité"}[
            self.kind
        ]

    def places(self):
        """Every row of the communes table in the territory."""
        if self.kind == "region":
            return Commune.objects.filter(region=self.code)
        if self.kind == "departement":
            return Commune.objects.filter(departement=self.code)
        if self.kind == "epci":
            own = Q(epci=self.code) & (Q(parent__isnull=True) | Q(parent__epci__isnull=True))
            return Commune.objects.filter(own | Q(parent__epci=self.code))
        return Commune.objects.all()

    @cached_property
    def commune_codes(self) -> frozenset[str]:
        """The INSEE codes of its places: a service whose record names one of them is located in it."""
        return frozenset(self.places().values_list("code_insee", flat=True))

    @cached_property
    def eligibility_codes(self) -> frozenset[str]:
        """The zone codes that make a service eligible for one of its places at least: the union of their
        Commune.eligibility_codes (codes, parent codes, EPCIs — a subdivision's parent's —, départements)."""
        codes = set(NATIONAL_CODES)
        rows = self.places().values_list("code_insee", "parent__code_insee", "epci", "parent__epci", "departement")
        for code, parent_code, epci, parent_epci, departement in rows:
            codes.update(value for value in (code, parent_code, parent_epci or epci, departement) if value)
        return frozenset(codes)

    def region(self) -> "Territory | None":
        """The région a département or an EPCI belongs to (an EPCI's: its most populous commune's)."""
        if self.kind not in ("departement", "epci"):
            return None
        largest = self.places().filter(type=Commune.Type.COMMUNE).order_by("-population", "code_insee").first()
        return None if largest is None else Territory.parse(f"region-{largest.region}")
