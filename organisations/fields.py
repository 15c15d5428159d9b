from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from lib.search import WORD_SIMILARITY_THRESHOLD
from organisations.validators import normalise_org_number, validate_org_number


class OrgNumberFormField(forms.CharField):
    """Accepts "974 760 673" as people type it; stores "974760673"."""

    default_validators = [validate_org_number]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)  # room for spaces; the validator demands 9 digits
        kwargs.setdefault("help_text", _("9 digits, for example 974 760 673."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalise_org_number(value) if value not in self.empty_values else value


class OrgNumberField(models.CharField):
    """An organisation number column: validated on every way in that goes through a form or full_clean."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = 9
        kwargs.setdefault("validators", [validate_org_number])
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", OrgNumberFormField)
        kwargs.setdefault("max_length", 20)
        return super().formfield(**kwargs)


class WordSimilar(models.Lookup):
    """``search_key__word_similar=query``: the folded query matches a run of words of the key, allowing
    small typos. PostgreSQL's ``%>`` operator (pg_trgm, served by the trigram index); elsewhere the
    same measure from ``lib.search``, registered on each SQLite connection by ``organisations.apps``."""

    lookup_name = "word_similar"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"portal_word_similarity({rhs}, {lhs}) >= {WORD_SIMILARITY_THRESHOLD}", [*rhs_params, *lhs_params]

    def as_postgresql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} %%> {rhs}", [*lhs_params, *rhs_params]


class WordSimilarity(models.Func):
    """How well a folded query matches the key (0-1), for ordering hits: best match first."""

    output_field = models.FloatField()
    function = "portal_word_similarity"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="word_similarity", **extra)


class SearchKeyField(models.CharField):
    """A name folded for searching (``lib.search.fold``): "Bodø kommune" is kept as "bodo kommune"."""


SearchKeyField.register_lookup(WordSimilar)
