from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite has no ICU and no trigram index: Norwegian order and the search's similarity come from
    the same Python functions the tests compare with PostgreSQL's."""
    if connection.vendor == "sqlite":
        from lib.collation import NORWEGIAN, compare
        from lib.search import word_similarity

        connection.connection.create_collation(NORWEGIAN, compare)
        connection.connection.create_function(
            "portal_word_similarity",
            2,
            lambda query, text: word_similarity(query or "", text or ""),
            deterministic=True,
        )


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Member registry")

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions, dispatch_uid="organisations.sqlite_functions")

        from django.db.models.signals import post_delete, post_save

        from organisations import listing
        from organisations.models import County, Diginettverk, Municipality, Organisation

        # The organisation list's cached totals and filter form (organisations.listing): what they count and show.
        for model in (Organisation, Municipality, County, Diginettverk):
            for signal in (post_save, post_delete):
                signal.connect(
                    listing.bump, sender=model, dispatch_uid=f"listing_{model.__name__}_{signal is post_save}"
                )
