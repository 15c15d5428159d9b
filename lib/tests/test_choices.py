from django.utils import translation

from lib.choices import label_of
from organisations.choices import OrganisationForm


def test_label_of_reads_the_label_in_the_active_language_or_gives_the_default() -> None:
    with translation.override("en"):
        assert label_of(OrganisationForm, OrganisationForm.KOMM) == "Municipality"
    with translation.override("nb"):
        assert label_of(OrganisationForm, "KOMM") == "Kommune"
    assert label_of(OrganisationForm, "NOPE") == ""
    assert label_of(OrganisationForm, None, "–") == "–"
