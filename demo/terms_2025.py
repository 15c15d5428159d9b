"""Demo text of the membership agreement "2025", written from the public obligations (facts.md).

DEMOTEKST – not NHN's real terms. Norwegian, as the real terms are.
"""

MEMBERSHIP_TERMS = """**DEMOTEKST – ikke Norsk helsenetts gjeldende vilkår.**

# 1 Formål

Vilkårene gjelder medlemskap i Helsenettet, det lukkede nasjonale nettet for sikker utveksling av
helseopplysninger. Norsk helsenett SF (NHN) drifter Helsenettet.

# 2 Hvem som er medlem

- Hver virksomhet med eget organisasjonsnummer har sitt eget medlemskap.
- Flere virksomheter kan dele en fysisk linje, men hver har egne avtaler og betaler egen avgift.
- Selvstendige helsevirksomheter (ENK og AS) skal ha eget medlemskap.

# 3 Medlemmets plikter

1. Følge *Normen* – Norm for informasjonssikkerhet og personvern i helse- og omsorgssektoren.
2. Gi tilgang til helseopplysninger bare ut fra tjenstlig behov, og gjennomgå tilganger jevnlig.
3. Føre og ta vare på logger, og la den registrerte få vite hvem som har hatt tilgang.
4. Ha en navngitt sikkerhetskontakt og melde sikkerhetshendelser til HelseCERT/KommuneCERT.

# 4 Avgift

Medlemsavgiften faktureres kvartalsvis. Tilknytningen prises i tillegg.

# 5 Sperring

Virksomheter som ikke har akseptert vilkårene innen fristen, kan bli sperret for å sende og motta
meldinger i Helsenettet.
"""

DATA_PROCESSING = """**DEMOTEKST.**

# 1 Roller

Medlemmet er behandlingsansvarlig. NHN er databehandler for opplysninger som behandles i tjenestene
medlemmet bruker.

# 2 Databehandlers plikter

- Behandle opplysninger bare etter dokumentert instruks fra medlemmet.
- Sikre konfidensialitet, integritet og tilgjengelighet.
- Varsle medlemmet uten ugrunnet opphold ved avvik.
"""

CUSTOMER_AGREEMENT = """**DEMOTEKST.**

# 1 Leveranse

NHN leverer tilknytning til Helsenettet og tjenestene medlemmet bestiller, hele døgnet, hele året.

# 2 Kundesenter

Kundesenteret svarer alle hverdager 08:00–20:00 på telefon 24 20 00 00 og kundesenter@nhn.no.

# 3 Oppsigelse

Medlemskapet kan sies opp skriftlig. Ved sammenslåing av kommuner sier hver tidligere kommune opp sitt
medlemskap, og den nye kommunen signerer på nytt.
"""
