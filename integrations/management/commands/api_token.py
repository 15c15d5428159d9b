"""manage.py api_token create|revoke|list — API tokens from the command line (NetBox practice)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from core.roles import StaffRole
from integrations.models import ApiToken
from integrations.services import api_token_create, api_token_revoke
from organisations.models import Organisation


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Make, revoke or list API tokens. `create --organisation ORGNR [--read-only] [--expires YYYY-MM-DD]` "
        "(or `--national`, always read-only) prints the token once; only its hash is stored. The token's owner "
        "is --owner EMAIL, else the first active system administrator; every action is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        scope = create.add_mutually_exclusive_group(required=True)
        scope.add_argument("--organisation", metavar="ORGNR")
        scope.add_argument("--national", action="store_true", help="NHN's own systems: every organisation, read-only")
        create.add_argument("--read-only", action="store_true")
        create.add_argument("--expires", type=_date, metavar="YYYY-MM-DD")
        create.add_argument("--description", default="Made with manage.py api_token")
        create.add_argument("--owner", metavar="EMAIL")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix", help="the token's first characters, as listed")
        revoke.add_argument("--owner", metavar="EMAIL")
        sub.add_parser("list")

    def _owner(self, email: str | None) -> Any:
        users = get_user_model().objects.filter(is_active=True)
        if email:
            owner = users.filter(email__iexact=email).first()
        else:
            owner = users.filter(Q(is_superuser=True) | Q(staff_role=StaffRole.SYSTEM_ADMIN)).order_by("pk").first()
        if owner is None:
            raise CommandError("No such active user: give --owner EMAIL of a system administrator.")
        return owner

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                self._create(options)
            elif action == "revoke":
                token = ApiToken.objects.filter(prefix=options["prefix"]).first()
                if token is None:
                    raise CommandError(f"No token starts with {options['prefix']!r}.")
                api_token_revoke(actor=self._owner(options["owner"]), token=token)
                self.stdout.write(f"Revoked {token.prefix}…")
            else:
                for token in ApiToken.objects.select_related("organisation"):
                    scope = token.organisation.org_number if token.organisation else "national"
                    state = "revoked" if token.revoked_at else ("usable" if token.is_usable else "expired")
                    mode = "read-write" if token.write_enabled else "read-only"
                    self.stdout.write(f"{token.prefix}…  {scope}  {mode}  {state}  {token.description}")
        except PermissionDenied:
            raise CommandError("The owner may not manage these tokens.") from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None

    def _create(self, options: dict[str, Any]) -> None:
        organisation = None
        if not options["national"]:
            organisation = Organisation.objects.filter(org_number=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation has the number {options['organisation']!r}.")
        token, secret = api_token_create(
            actor=self._owner(options["owner"]),
            organisation=organisation,
            description=options["description"],
            write_enabled=not options["read_only"] and organisation is not None,
            expires_on=options["expires"],
        )
        self.stderr.write(f"Token {token.prefix}… made; it is shown once, here:")
        self.stdout.write(secret)
