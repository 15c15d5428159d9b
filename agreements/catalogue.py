"""The starting catalogue: NHN's services for members, from ../shared/facts.md.

What each service is and what it requires comes from NHN's public pages. Prices and the lifecycle dates
of planned services are **illustrative**: NHN sets the real ones in the administration. Loading is
idempotent and never overwrites what staff have changed: a service that exists is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from agreements.choices import Category, Lifecycle, PriceBasis, TermsStatus
from agreements.models import Service, ServiceTermsVersion
from agreements.services import terms_sha256

MUNICIPAL = ["KOMM", "FYLK", "IKS", "KF"]
ENTERPRISES = ["ENK", "AS", "ASA", "ANS", "DA", "SA", "STI"]


@dataclass(frozen=True)
class Spec:
    slug: str
    name: str
    short: str
    category: str
    requires: tuple[str, ...] = ()
    lifecycle: str = Lifecycle.AVAILABLE
    basis: str = PriceBasis.FREE
    fixed: str = "0"
    unit: str = "0"
    minimum: str = "0"
    forms: list[str] = field(default_factory=list)
    is_connection: bool = False
    pilot_from: str | None = None
    available_from: str | None = None
    phase_out_from: str | None = None
    special: dict[str, str] = field(default_factory=dict)


CATALOGUE = [
    Spec("helsenettforbindelse", "Helsenettforbindelse", "Den fysiske eller logiske tilkoblingen til Helsenettet.",
         Category.NETWORK, basis=PriceBasis.FIXED, fixed="36000", is_connection=True,
         special={"KOMM": "Kommunen kan dele forbindelsen med egne enheter og interkommunale samarbeid."}),
    Spec("adresseregisteret", "Adresseregisteret og meldingsutveksling",
         "Adressering av elektroniske meldinger; hver part får en HER-id. Inngår i medlemskapet.",
         Category.MESSAGING, requires=("helsenettforbindelse",)),
    Spec("helseid", "HelseID", "Sektorens tjeneste for innlogging og tilgangsstyring.", Category.IDENTITY,
         basis=PriceBasis.FIXED, fixed="12000"),
    Spec("kjernejournal", "Kjernejournal", "Den nasjonale kjernejournalen med viktige helseopplysninger.",
         Category.RECORDS, requires=("helseid", "helsenettforbindelse"), basis=PriceBasis.PER_INHABITANT,
         unit="1.20", minimum="5000",
         special={"KOMM": "Gjelder legevakt, sykehjem og hjemmetjeneste i kommunen.",
                  "ENK": "Gjelder fastlegepraksis og avtalespesialister."}),
    Spec("journaldokumenter", "Pasientens journaldokumenter",
         "Deling av journaldokumenter mellom virksomheter (del av Kjernejournal).", Category.RECORDS,
         requires=("kjernejournal",), lifecycle=Lifecycle.PILOT, pilot_from="2025-03-01"),
    Spec("e-resept", "E-resept", "Elektroniske resepter.", Category.MEDICATION, requires=("helsenettforbindelse",),
         basis=PriceBasis.PER_EMPLOYEE, unit="150", minimum="2000"),
    Spec("pll", "Pasientens legemiddelliste (PLL)", "Felles legemiddelliste; nasjonal utrulling fra 2025.",
         Category.MEDICATION, requires=("e-resept", "kjernejournal"), lifecycle=Lifecycle.PILOT,
         pilot_from="2024-06-01", available_from="2026-06-01"),
    Spec("sfm", "Sentral forskrivningsmodul (SFM)", "Forskrivningsmodul som støtter e-resept og PLL.",
         Category.MEDICATION, requires=("e-resept",), basis=PriceBasis.FIXED, fixed="8000"),
    Spec("helsenorge", "Helsenorge", "Innbyggernes helseportal: brev, skjema og dialog.", Category.CITIZEN,
         basis=PriceBasis.PER_INHABITANT, unit="0.80", minimum="3000"),
    Spec("digihelse", "DigiHelsestasjon / Digihelse",
         "Innbyggerdialog med hjemmetjeneste og helsestasjon via Helsenorge.", Category.CITIZEN,
         requires=("helsenorge",), forms=MUNICIPAL, basis=PriceBasis.PER_INHABITANT, unit="0.50", minimum="2500"),
    Spec("persontjenesten", "Persontjenesten",
         "Sektorens kopi av Folkeregisteret (erstatter Personregisteret, som fases ut ved utgangen av 2025).",
         Category.BASE_DATA, requires=("helseid",), basis=PriceBasis.FIXED, fixed="10000"),
    Spec("personregisteret", "Personregisteret", "Den gamle kopien av Folkeregisteret; erstattes av Persontjenesten.",
         Category.BASE_DATA, lifecycle=Lifecycle.PHASING_OUT, available_from="2012-01-01",
         phase_out_from="2025-01-01"),
    Spec("grunndata", "Grunndata", "Registre over virksomheter og personell (AR, HPR, Fastlegeregisteret …).",
         Category.BASE_DATA),
    Spec("domene", "Domene", "Et underdomene og e-postdomene under nhn.no.", Category.NETWORK,
         basis=PriceBasis.FIXED, fixed="2500"),
    Spec("beskyttelsesprogram", "Nasjonalt beskyttelsesprogram",
         "Trusselinformasjon fra HelseCERT og KommuneCERT og hjelp ved hendelser. Gratis.", Category.SECURITY),
    Spec("helsenett-sky", "Helsenett i skyen", "Tilkobling til Helsenettet fra godkjente skyplattformer.",
         Category.NETWORK, lifecycle=Lifecycle.PLANNED, available_from="2027-01-01", basis=PriceBasis.FIXED,
         fixed="24000"),
]  # fmt: skip

GENERAL_TERMS = """## Generelle vilkår for {name}

1. Tjenesten leveres av Norsk helsenett SF til medlemmer av Helsenettet, i samsvar med medlemsvilkårene.
2. Medlemmet bruker tjenesten bare til formål som følger av helselovgivningen, og sørger for at brukerne
   har tjenstlig behov.
3. Medlemmet melder avvik og sikkerhetshendelser til NHN uten ugrunnet opphold.
4. NHN kan endre vilkårene med varsel; nye vilkår må aksepteres for at tjenesten skal kunne brukes videre.
"""


def load_catalogue(*, label: str = "2025.1") -> tuple[int, int]:
    """Create the services (and their first, published terms) that do not exist yet. Returns
    (services created, terms versions created)."""
    created_services = created_terms = 0
    with transaction.atomic():
        by_slug = {s.slug: s for s in Service.objects.all()}
        new = []
        for order, spec in enumerate(CATALOGUE):
            if spec.slug in by_slug:
                continue
            service = Service(
                slug=spec.slug,
                name=spec.name,
                short_description=spec.short,
                category=spec.category,
                lifecycle=spec.lifecycle,
                orderable_forms=spec.forms,
                is_connection=spec.is_connection,
                price_basis=spec.basis,
                fixed_amount=Decimal(spec.fixed),
                unit_price=Decimal(spec.unit),
                minimum_amount=Decimal(spec.minimum),
                pilot_from=spec.pilot_from,
                available_from=spec.available_from,
                phase_out_from=spec.phase_out_from,
                sort_order=(order + 1) * 10,
            )
            service.full_clean(exclude=["prerequisites"])
            service.save()
            by_slug[spec.slug] = service
            new.append((spec, service))
            created_services += 1
        for spec, service in new:
            service.prerequisites.set([by_slug[slug] for slug in spec.requires])
            if service.lifecycle == Lifecycle.PLANNED:
                continue
            version = ServiceTermsVersion(
                service=service,
                label=label,
                general_terms=GENERAL_TERMS.format(name=service.name),
                special_terms=spec.special,
                status=TermsStatus.PUBLISHED,
                published_at=timezone.now(),
            )
            version.text_sha256 = terms_sha256(version)
            version.save()
            created_terms += 1
    return created_services, created_terms
