"""Demo: advisories at every TLP level targeted the way HelseCERT would, one awaiting a second
analyst's review, an acknowledgement, the security contact's details, and the threat picture."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from advisories.choices import AckStatus, AdvisoryStatus
from advisories.models import Acknowledgement, Advisory, AdvisoryRevision, SecurityContactDetails, ThreatPicture
from core.roles import OrganisationRoleType, StaffRole
from organisations.models import County, OrganisationRole

ANALYST = "jonas@demo.medlemsportal.no"
SECOND_ANALYST = "marte@demo.medlemsportal.no"
SECURITY_OFFICER = "per@demo.medlemsportal.no"

THREAT_PICTURE = """## Trusselbildet for helse- og omsorgssektoren

Sektoren er et attraktivt mål. Vi ser tre hovedtrender:

- **Etterretning og påvirkning.** Statlige aktører kartlegger helse- og kommunesektoren, særlig
  leverandørkjeder og fjerntilgang.
- **Løsepengevirus.** Organiserte kriminelle går etter virksomheter med mange brukere og lav
  toleranse for nedetid: kommuner, legekontor og laboratorier.
- **Phishing mot HelseID og e-post.** Falske innloggingssider som ligner HelseID og Microsoft 365.

### Hva bør dere gjøre nå?

1. Krev tofaktorautentisering på all fjerntilgang.
2. Hold VPN og brannmurer oppdatert – innen ett døgn ved kritiske sårbarheter.
3. Sørg for at sikkerhetskontakten deres er registrert og kan nås hele døgnet.

Meld hendelser til HelseCERT i portalen, og ring ved pågående angrep.
"""


def _second_analyst(analyst: Any) -> Any:
    """A second CERT analyst with the first one's (demo) password: its hash is copied, so this app
    need not import `demo`, which nothing imports."""
    user_model = get_user_model()
    user = user_model.objects.filter(email=SECOND_ANALYST).first()
    if user is None:
        user = user_model.objects.create_user(
            email=SECOND_ANALYST, password=None, full_name="Marte Lie", staff_role=StaffRole.CERT_ANALYST
        )
        user.password = analyst.password
        user.save(update_fields=["password"])
        if hasattr(user, "is_demo"):
            user.is_demo = True
            user.save(update_fields=["is_demo"])
    return user


@transaction.atomic
def seed(*, organisations: dict[str, Any], users: dict[str, Any]) -> None:
    analyst = users.get(ANALYST)
    officer = users.get(SECURITY_OFFICER)
    municipality = organisations.get("municipality")
    if analyst is None or officer is None or municipality is None:
        return
    second = _second_analyst(analyst)
    now = timezone.now()
    innlandet = County.objects.filter(municipalities__organisation=municipality).first()

    role = OrganisationRole.objects.filter(
        user=officer, organisation=municipality, role=OrganisationRoleType.SECURITY_CONTACT
    ).first()
    if role is not None:
        SecurityContactDetails.objects.get_or_create(
            role=role, defaults={"phone": "+47 62 33 50 00", "available_24_7": True, "updated_by": analyst}
        )

    specs = [
        dict(
            tracking_id="NHN-DEMO-0001",
            title="Kritisk sårbarhet i Citrix NetScaler ADC og Gateway",
            summary="En kritisk sårbarhet lar uautentiserte angripere lese minnet til NetScaler, også aktive sesjoner. "
            "Sårbarheten utnyttes aktivt.",
            body="## Beskrivelse\n\nSårbarheten (CVE-2023-4966, «Citrix Bleed») gir tilgang til sesjonsnøkler, slik at "
            "angriperen kan overta innloggede brukeres sesjoner uten passord eller tofaktor.",
            severity="critical",
            cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            affected_products="NetScaler ADC 13.1 før 13.1-49.15\nNetScaler Gateway 14.1 før 14.1-8.50",
            affected_services="Fjerntilgang til journalsystemer via Helsenettet",
            recommended_actions="1. Oppdater til rettet versjon.\n2. Avslutt alle aktive sesjoner etter oppdatering.\n"
            "3. Se etter uvanlige innlogginger de siste 30 dagene.",
            references="https://support.citrix.com/article/CTX579459\nhttps://nvd.nist.gov/vuln/detail/CVE-2023-4966",
            tlp="CLEAR",
            audience_all=True,
            published_at=now - dt.timedelta(days=3),
        ),
        dict(
            tracking_id="NHN-DEMO-0002",
            title="Phishing-kampanje med falske HelseID-innlogginger",
            summary="Ansatte i kommunene får e-post om «utløpt HelseID-sertifikat» med lenke til en falsk "
            "innloggingsside.",
            body="Avsenderne bruker domener som ligner nhn.no. Siden samler inn brukernavn, passord og engangskoder.",
            severity="high",
            affected_services="HelseID",
            recommended_actions="- Blokker domenene i vedlegget i e-postfilteret.\n"
            "- Minn de ansatte på at NHN aldri ber om passord på e-post.",
            tlp="GREEN",
            audience_forms=",KOMM,",
            published_at=now - dt.timedelta(days=1),
        ),
        dict(
            tracking_id="NHN-DEMO-0003",
            title="Aktiv utnyttelse av VPN-sårbarhet hos kommuner i Innlandet",
            summary="HelseCERT ser skanning og innloggingsforsøk mot VPN-løsninger hos flere kommuner i Innlandet.",
            body="Angrepene kommer fra en kjent infrastruktur brukt av en kriminell gruppe som driver med "
            "løsepengevirus.",
            severity="critical",
            affected_products="Fortinet FortiGate SSL-VPN",
            recommended_actions="- Oppdater FortiOS.\n- Sjekk loggene etter IP-adressene HelseCERT har sendt "
            "sikkerhetskontaktene.\n- Meld fra til HelseCERT om funn.",
            tlp="AMBER",
            counties=[innlandet] if innlandet else [],
            published_at=now - dt.timedelta(hours=30),
        ),
        dict(
            tracking_id="NHN-DEMO-0004",
            title="Mistenkelig trafikk fra kommunens nett mot kjent kontrolltjener",
            summary="En maskin i kommunens nett kontakter en kjent kontrolltjener for skadevare.",
            body="Trafikken startet i natt. HelseCERT har detaljer om kilde-IP og tidspunkter.",
            severity="high",
            recommended_actions="Isoler maskinen og kontakt HelseCERT.",
            tlp="AMBER+STRICT",
            organisations=[municipality],
            published_at=now - dt.timedelta(hours=5),
        ),
        dict(
            tracking_id="NHN-DEMO-0005",
            title="Koordinering av pågående målrettet angrep",
            summary="Kun for navngitte mottakere: status og neste steg i håndteringen.",
            body="Møte i morgen kl. 08.00 på Teams. Ikke del denne informasjonen videre.",
            severity="critical",
            tlp="RED",
            people=[officer],
            published_at=now - dt.timedelta(hours=2),
        ),
    ]
    for spec in specs:
        counties = spec.pop("counties", [])
        orgs = spec.pop("organisations", [])
        people = spec.pop("people", [])
        tracking_id = spec.pop("tracking_id")
        advisory, created = Advisory.objects.get_or_create(
            tracking_id=tracking_id,
            defaults={
                **spec,
                "status": AdvisoryStatus.PUBLISHED,
                "revision": 1,
                "first_published_at": spec["published_at"],
                "author": analyst,
                "submitted_by": analyst,
                "approved_by": second,
            },
        )
        if created:
            advisory.audience_counties.set(counties)
            advisory.audience_organisations.set(orgs)
            advisory.audience_people.set(people)
            AdvisoryRevision.objects.create(
                advisory=advisory,
                number=1,
                content=advisory.snapshot(),
                author=analyst,
                approved_by=second,
                published_at=advisory.published_at,
            )
    green = Advisory.objects.get(tracking_id="NHN-DEMO-0002")
    Acknowledgement.objects.get_or_create(
        advisory=green,
        organisation=municipality,
        defaults={
            "status": AckStatus.HANDLED,
            "comment": "Domenene er blokkert og de ansatte er varslet.",
            "acknowledged_by": officer,
        },
    )
    Advisory.objects.get_or_create(
        tracking_id="NHN-DEMO-0006",
        defaults={
            "title": "Sårbarhet i meldingstjener for pleie- og omsorgsmeldinger",
            "summary": "En feil i meldingstjeneren kan stoppe mottak av PLO-meldinger.",
            "body": "Leverandøren har rettet feilen i versjon 4.4.",
            "severity": "medium",
            "tlp": "GREEN",
            "audience_forms": ",KOMM,",
            "status": AdvisoryStatus.IN_REVIEW,
            "author": analyst,
            "submitted_by": analyst,
        },
    )
    if not ThreatPicture.objects.exists():
        ThreatPicture.objects.create(
            version=1, title="Høyt aktivitetsnivå før jul", body=THREAT_PICTURE, created_by=analyst
        )
