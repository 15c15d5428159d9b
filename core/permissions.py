"""The one permission module: what a user may see and do, with which object.

Every view asks here. Two questions, never mixed up:

* **Visibility** — may the user know the object exists? ``visibility(user)`` says which organisations
  a user can see; querysets turn it into a filter (``Organisation.objects.visible_to(user)``). An
  object outside it answers **404**, so nothing leaks about other organisations.
* **Action** — may the user do this to an object they can see? ``can(user, action, obj)``. A visible
  object with a wrong role answers **403**.

**Delegation grants signing and nothing else.** A delegated signatory role is not a role in the
organisation: it makes nothing visible. ``delegations(user)`` lists what each delegate may sign
(``DELEGATE_MEMBERSHIP``, ``DELEGATE_SERVICES``) until the end date; ``get_for_signing_or_404`` lets a
delegate reach exactly the signing pages of what was delegated, and every other page of the
organisation answers 404. A delegate whose delegation ended is told so (``DelegationExpired``).

The module imports none of our apps: it reads the user's ``staff_role`` and the related names
``organisation_roles`` and ``coordinator_assignments``, and objects expose ``organisation_id``
(or are organisations). docs/architecture.md explains the layering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from core.principals import TokenPrincipal
from core.roles import OrganisationRoleType, StaffRole

ALL_STAFF = frozenset(StaffRole.values)
DELEGATED = "delegated"  # core.roles.SignatoryBasis.DELEGATED
# What a delegation may name: the membership terms, the services (the guided flow's signing).
DELEGATE_MEMBERSHIP = "membership"
DELEGATE_SERVICES = "services"
DELEGABLE = frozenset({DELEGATE_MEMBERSHIP, DELEGATE_SERVICES})
ALL_ORG_ROLES = frozenset(OrganisationRoleType.values)
# engagement and help: the customer centre's agents, and the staff who run events, surveys and suggestions
CUSTOMER_CENTRE_STAFF = frozenset({StaffRole.CUSTOMER_CENTRE, StaffRole.SYSTEM_ADMIN})
ENGAGEMENT_STAFF = frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.CUSTOMER_CENTRE, StaffRole.SYSTEM_ADMIN})


class Action(StrEnum):
    ORGANISATION_LIST = "organisation.list"
    ORGANISATION_VIEW = "organisation.view"
    ORGANISATION_MANAGE_ROLES = "organisation.manage_roles"
    ORGANISATION_GRANT_SIGNATORY = "organisation.grant_signatory"
    STATUS_VIEW = "status.view"
    STATUS_REMIND = "status.remind"
    TERMS_MANAGE = "terms.manage"
    MEMBERSHIP_MANAGE = "membership.manage"
    AGREEMENT_SIGN = "agreement.sign"
    AGREEMENT_DOWNLOAD = "agreement.download"
    AGREEMENT_AUDIT_CERTIFICATE = "agreement.audit_certificate"
    SIGNING_DELEGATE = "signing.delegate"
    # services and orders
    SERVICE_AGREEMENTS_VIEW = "service.agreements_view"
    SERVICE_SIGN = "service.sign"
    SERVICE_TERMS_MANAGE = "service.terms_manage"
    ORDER_VIEW = "order.view"
    ORDER_HANDLE = "order.handle"
    ORDER_CANCEL = "order.cancel"
    ORDER_COMMENT = "order.comment"
    ADMIN_SITE = "admin.site"
    ADMIN_VIEW = "admin.view"
    ADMIN_WRITE = "admin.write"
    # --- connections (Helsenett connections, issue 6) ---
    CONNECTION_VIEW = "connection.view"
    CONNECTION_MANAGE = "connection.manage"
    CONNECTION_STATUS_VIEW = "connection.status_view"
    CONNECTION_ASSESS = "connection.assess"
    CONNECTION_ASSESSMENT_VIEW = "connection.assessment_view"
    CONNECTION_TERMINATION_REQUEST = "connection.termination_request"
    CONNECTION_MEMBER_EDIT = "connection.member_edit"
    CONNECTION_REQUESTS_HANDLE = "connection.requests_handle"
    # --- engagement and help (events, suggestions, surveys, support) ---
    SUPPORT_REQUEST_CREATE = "support.request_create"
    SUPPORT_REQUEST_VIEW = "support.request_view"
    SUPPORT_QUEUE = "support.queue"
    SUPPORT_HOURS_MANAGE = "support.hours_manage"
    ATTENDANCE_REQUEST_CREATE = "support.attendance_create"
    ATTENDANCE_REQUEST_VIEW = "support.attendance_view"
    ENGAGEMENT_MANAGE = "engagement.manage"
    # --- advisories and incidents (HelseCERT/KommuneCERT, issue 8) ---
    ADVISORY_MANAGE = "advisory.manage"
    ADVISORY_ACKNOWLEDGE = "advisory.acknowledge"
    SECURITY_CONTACTS_VIEW = "security_contacts.view"
    SECURITY_CONTACTS_MANAGE = "security_contacts.manage"
    SECURITY_CONTACTS_MISSING = "security_contacts.missing"
    INCIDENT_REPORT = "incident.report"
    INCIDENT_VIEW = "incident.view"
    INCIDENT_TRIAGE = "incident.triage"
    INCIDENT_ACCESS_LOG = "incident.access_log"
    # Who outside the organisation opened its data (core.access): the right of access.
    ORGANISATION_ACCESS_LOG = "organisation.access_log"
    # --- sign-in (issue 15) ---
    ACCOUNT_UNLOCK = "account.unlock"
    # --- the member-service API and webhooks (integrations, issue 17) ---
    API_TOKENS_MANAGE = "api.tokens_manage"
    API_NATIONAL_MANAGE = "api.national_manage"


@dataclass(frozen=True)
class Rule:
    """Who may perform an action: staff roles, roles in the object's organisation, coordinators."""

    staff: frozenset[str] = frozenset()
    org_roles: frozenset[str] = frozenset()
    coordinator: bool = False
    # The person who reported the object (its ``reported_by_id``) may, whatever their role in it.
    reporter: bool = False


POLICY: dict[Action, Rule] = {
    Action.ORGANISATION_LIST: Rule(staff=ALL_STAFF, coordinator=True),
    Action.ORGANISATION_VIEW: Rule(staff=ALL_STAFF, org_roles=ALL_ORG_ROLES, coordinator=True),
    Action.ORGANISATION_MANAGE_ROLES: Rule(
        staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.SYSTEM_ADMIN}),
        org_roles=frozenset({OrganisationRoleType.ADMIN}),
    ),
    # Signatory authority has legal weight: only NHN staff record it (later: from Enhetsregisteret).
    Action.ORGANISATION_GRANT_SIGNATORY: Rule(
        staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.SYSTEM_ADMIN}),
    ),
    # Status dashboards: every NHN role, and coordinators for the municipalities of their network.
    Action.STATUS_VIEW: Rule(staff=ALL_STAFF, coordinator=True),
    Action.STATUS_REMIND: Rule(staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.SYSTEM_ADMIN})),
    Action.TERMS_MANAGE: Rule(staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.SYSTEM_ADMIN})),
    Action.MEMBERSHIP_MANAGE: Rule(staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.SYSTEM_ADMIN})),
    # Who holds signatory authority is decided in memberships.services (basis, delegation, dates).
    Action.AGREEMENT_SIGN: Rule(org_roles=frozenset({OrganisationRoleType.SIGNATORY})),
    Action.AGREEMENT_DOWNLOAD: Rule(
        staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.CUSTOMER_CENTRE, StaffRole.SYSTEM_ADMIN}),
        org_roles=frozenset({OrganisationRoleType.ADMIN, OrganisationRoleType.SIGNATORY}),
    ),
    Action.AGREEMENT_AUDIT_CERTIFICATE: Rule(
        staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.CUSTOMER_CENTRE, StaffRole.SYSTEM_ADMIN}),
    ),
    Action.SIGNING_DELEGATE: Rule(org_roles=frozenset({OrganisationRoleType.SIGNATORY})),
    # --- services and orders ---
    Action.SERVICE_AGREEMENTS_VIEW: Rule(staff=ALL_STAFF, org_roles=ALL_ORG_ROLES, coordinator=True),
    # Re-signing, ordering and ending services binds the organisation: signatories only.
    Action.SERVICE_SIGN: Rule(org_roles=frozenset({OrganisationRoleType.SIGNATORY})),
    Action.SERVICE_TERMS_MANAGE: Rule(staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.SYSTEM_ADMIN})),
    Action.ORDER_VIEW: Rule(staff=ALL_STAFF, org_roles=ALL_ORG_ROLES),
    Action.ORDER_HANDLE: Rule(
        staff=frozenset({StaffRole.CUSTOMER_CENTRE, StaffRole.MEMBERSHIP_MANAGER, StaffRole.SYSTEM_ADMIN})
    ),
    Action.ORDER_CANCEL: Rule(org_roles=frozenset({OrganisationRoleType.SIGNATORY, OrganisationRoleType.ADMIN})),
    Action.ORDER_COMMENT: Rule(
        staff=frozenset({StaffRole.CUSTOMER_CENTRE, StaffRole.MEMBERSHIP_MANAGER, StaffRole.SYSTEM_ADMIN}),
        org_roles=frozenset({OrganisationRoleType.SIGNATORY, OrganisationRoleType.ADMIN}),
    ),
    Action.ADMIN_SITE: Rule(
        staff=frozenset({StaffRole.SYSTEM_ADMIN, StaffRole.MEMBERSHIP_MANAGER, StaffRole.CUSTOMER_CENTRE})
    ),
    Action.ADMIN_VIEW: Rule(
        staff=frozenset({StaffRole.SYSTEM_ADMIN, StaffRole.MEMBERSHIP_MANAGER, StaffRole.CUSTOMER_CENTRE})
    ),
    Action.ADMIN_WRITE: Rule(staff=frozenset({StaffRole.SYSTEM_ADMIN})),
    # --- connections (Helsenett connections, issue 6) ---
    # Everyone who can see a member sees its connections; the registry is kept by the staff who talk to
    # members about their lines (membership managers, the customer centre, system administrators).
    Action.CONNECTION_VIEW: Rule(staff=ALL_STAFF, org_roles=ALL_ORG_ROLES, coordinator=True),
    Action.CONNECTION_MANAGE: Rule(
        staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.CUSTOMER_CENTRE, StaffRole.SYSTEM_ADMIN})
    ),
    # Aggregates (availability of the backbone, status before/after): like the status dashboards.
    Action.CONNECTION_STATUS_VIEW: Rule(staff=ALL_STAFF, coordinator=True),
    # The assessment and the cloud EPJ decision aid are the member's own work: its administrators,
    # technical contacts and signatories; NHN's connection staff may read what they saved.
    Action.CONNECTION_ASSESS: Rule(
        org_roles=frozenset(
            {OrganisationRoleType.ADMIN, OrganisationRoleType.TECHNICAL_CONTACT, OrganisationRoleType.SIGNATORY}
        )
    ),
    Action.CONNECTION_ASSESSMENT_VIEW: Rule(
        staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.CUSTOMER_CENTRE, StaffRole.SYSTEM_ADMIN}),
        org_roles=frozenset(
            {OrganisationRoleType.ADMIN, OrganisationRoleType.TECHNICAL_CONTACT, OrganisationRoleType.SIGNATORY}
        ),
    ),
    # Ending the member's own access binds the organisation: signatories only.
    Action.CONNECTION_TERMINATION_REQUEST: Rule(org_roles=frozenset({OrganisationRoleType.SIGNATORY})),
    # The owner's administrators and technical contacts correct the site and contact of its own lines and
    # ask for changes to what the agreement fixes (a member sharing the line does neither).
    Action.CONNECTION_MEMBER_EDIT: Rule(
        org_roles=frozenset({OrganisationRoleType.ADMIN, OrganisationRoleType.TECHNICAL_CONTACT})
    ),
    # Those requests, and requests to end a connection, are handled by the staff who keep the registry.
    Action.CONNECTION_REQUESTS_HANDLE: Rule(
        staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.CUSTOMER_CENTRE, StaffRole.SYSTEM_ADMIN})
    ),
    # --- engagement and help (apps events, suggestions, surveys, support) ---
    # Any person with a role in the organisation may ask the customer centre or ask NHN to attend;
    # a Diginettverk coordinator follows the municipality but does not read its support requests.
    Action.SUPPORT_REQUEST_CREATE: Rule(org_roles=ALL_ORG_ROLES),
    Action.SUPPORT_REQUEST_VIEW: Rule(staff=CUSTOMER_CENTRE_STAFF, org_roles=ALL_ORG_ROLES),
    Action.SUPPORT_QUEUE: Rule(staff=CUSTOMER_CENTRE_STAFF),
    Action.SUPPORT_HOURS_MANAGE: Rule(staff=CUSTOMER_CENTRE_STAFF),
    Action.ATTENDANCE_REQUEST_CREATE: Rule(org_roles=ALL_ORG_ROLES),
    Action.ATTENDANCE_REQUEST_VIEW: Rule(staff=ENGAGEMENT_STAFF, org_roles=ALL_ORG_ROLES),
    # Events, topic suggestions, surveys and requests to attend: NHN's events lead works as one of these.
    Action.ENGAGEMENT_MANAGE: Rule(staff=ENGAGEMENT_STAFF),
    # --- advisories and incidents (HelseCERT/KommuneCERT, issue 8) ---
    # CERT analysts write advisories; members read them per TLP, decided by
    # advisories.models.AdvisoryQuerySet.visible_to. Incidents: the analysts and the reporting organisation.
    Action.ADVISORY_MANAGE: Rule(staff=frozenset({StaffRole.CERT_ANALYST})),
    Action.ADVISORY_ACKNOWLEDGE: Rule(
        org_roles=frozenset({OrganisationRoleType.SECURITY_CONTACT, OrganisationRoleType.ADMIN})
    ),
    Action.SECURITY_CONTACTS_VIEW: Rule(staff=ALL_STAFF, org_roles=ALL_ORG_ROLES),
    Action.SECURITY_CONTACTS_MANAGE: Rule(
        staff=frozenset({StaffRole.CERT_ANALYST}), org_roles=frozenset({OrganisationRoleType.ADMIN})
    ),
    # Who has no security contact: HelseCERT for every member, a Diginettverk coordinator for the
    # municipalities of the network (the list is scoped to what the user can see).
    Action.SECURITY_CONTACTS_MISSING: Rule(staff=frozenset({StaffRole.CERT_ANALYST}), coordinator=True),
    Action.INCIDENT_REPORT: Rule(org_roles=ALL_ORG_ROLES),
    Action.INCIDENT_VIEW: Rule(staff=frozenset({StaffRole.CERT_ANALYST}), org_roles=ALL_ORG_ROLES),
    Action.INCIDENT_TRIAGE: Rule(staff=frozenset({StaffRole.CERT_ANALYST})),
    # Who opened the incidents: the analysts, the member's administrators and security contacts, and
    # (for one incident) the person who reported it. Visibility (404) is decided before this.
    Action.INCIDENT_ACCESS_LOG: Rule(
        staff=frozenset({StaffRole.CERT_ANALYST}),
        org_roles=frozenset({OrganisationRoleType.ADMIN, OrganisationRoleType.SECURITY_CONTACT}),
        reporter=True,
    ),
    # Who outside the organisation opened its sensitive data: its administrators (Normen's right of access), and
    # NHN's system administrators, who answer for the trail.
    Action.ORGANISATION_ACCESS_LOG: Rule(
        staff=frozenset({StaffRole.SYSTEM_ADMIN}), org_roles=frozenset({OrganisationRoleType.ADMIN})
    ),
    # Lifting a login lock: the customer centre, who take the call, and system administrators.
    Action.ACCOUNT_UNLOCK: Rule(staff=CUSTOMER_CENTRE_STAFF),
    # --- the member-service API and webhooks (integrations, issue 17) ---
    # An organisation's administrators make its tokens and webhooks; NHN's registry staff may do it for
    # them. National tokens and NHN's own webhooks: system administrators only.
    Action.API_TOKENS_MANAGE: Rule(
        staff=frozenset({StaffRole.MEMBERSHIP_MANAGER, StaffRole.SYSTEM_ADMIN}),
        org_roles=frozenset({OrganisationRoleType.ADMIN}),
    ),
    Action.API_NATIONAL_MANAGE: Rule(staff=frozenset({StaffRole.SYSTEM_ADMIN})),
}

# The only actions a delegation grants, and for which named agreement. Nothing else: no page of the
# organisation becomes visible, and ending agreements stays with those who sign in their own right.
DELEGATE_SCOPE: dict[Action, str] = {
    Action.AGREEMENT_SIGN: DELEGATE_MEMBERSHIP,
    Action.SERVICE_SIGN: DELEGATE_SERVICES,
}

# Models whose admin pages hold personal data or security material: system administrators only.
RESTRICTED_ADMIN_MODELS = frozenset({"accounts.user"})


# What a token may do: an organisation's token what its administrators may (in that organisation);
# a national token reads the register, the agreements and the catalogue.
TOKEN_ORG_ROLE = OrganisationRoleType.ADMIN
NATIONAL_TOKEN_ACTIONS = frozenset(
    {Action.ORGANISATION_LIST, Action.ORGANISATION_VIEW, Action.SERVICE_AGREEMENTS_VIEW, Action.STATUS_VIEW}
)


def _token_can(principal: TokenPrincipal, action: Action, obj: Any) -> bool:
    if principal.national:
        return action in NATIONAL_TOKEN_ACTIONS
    # The organisation's id only: a token has no coordinator's network to look up.
    org_id = obj.pk if hasattr(obj, "org_number") else getattr(obj, "organisation_id", None)
    return org_id is not None and org_id == principal.organisation_id and TOKEN_ORG_ROLE in POLICY[action].org_roles


class OrganisationRef(NamedTuple):
    """An organisation known by its id and number only (e.g. a cached answer's), for ``can`` and
    ``require``: what the checks read of an organisation, without loading or building one. It belongs
    to no Diginettverk as far as the checks know, so a coordinator's right through the network is not
    found through it: pass the organisation itself where that matters (the API's tokens have none)."""

    pk: int
    org_number: str


@dataclass(frozen=True)
class Visibility:
    """Which organisations a user can see: all of them, or those listed by id or network."""

    everything: bool = False
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    network_ids: frozenset[int] = field(default_factory=frozenset)


def _concrete(user: Any) -> Any:
    """The user behind ``request.user``'s lazy proxy. Every attribute read through the proxy costs a
    function call, and a page asks a dozen questions of a handful of attributes each (the menu alone):
    the checks below read the user object itself."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def effective_staff_role(user: Any) -> str | None:
    user = _concrete(user)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return StaffRole.SYSTEM_ADMIN
    return user.staff_role or None


def _roles_by_organisation(user: Any) -> dict[int, frozenset[str]]:
    """The user's roles per organisation id, read once per request and kept on the user object.
    A delegated signatory role is not among them: it is a delegation (``delegations``)."""
    cached = getattr(user, "_portal_roles_cache", None)
    if cached is None:
        roles: dict[int, set[str]] = {}
        scopes: dict[int, set[str]] = {}
        rows = user.organisation_roles.active().values_list(
            "organisation_id", "role", "signatory_basis", "delegated_agreements"
        )
        for org_id, role, basis, delegated in rows:
            if basis == DELEGATED:
                scopes.setdefault(org_id, set()).update(set(delegated or ()) & DELEGABLE)
            else:
                roles.setdefault(org_id, set()).add(role)
        cached = {org_id: frozenset(r) for org_id, r in roles.items()}
        user._portal_roles_cache = cached
        user._portal_delegations_cache = {org_id: frozenset(s) for org_id, s in scopes.items()}
    return cached


def delegations(user: Any) -> dict[int, frozenset[str]]:
    """What the user may sign as a delegate, per organisation id (only delegations in force today)."""
    user = _concrete(user)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    _roles_by_organisation(user)
    return user._portal_delegations_cache  # type: ignore[no-any-return]  # core keeps the user as Any (below accounts)


def _coordinated_networks(user: Any) -> frozenset[int]:
    cached = getattr(user, "_portal_networks_cache", None)
    if cached is None:
        cached = frozenset(user.coordinator_assignments.values_list("diginettverk_id", flat=True))
        user._portal_networks_cache = cached
    return cached


def visibility(user: Any) -> Visibility:
    user = _concrete(user)
    if isinstance(user, TokenPrincipal):
        if user.national:
            return Visibility(everything=True)
        own = frozenset() if user.organisation_id is None else frozenset({user.organisation_id})
        return Visibility(organisation_ids=own)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Visibility()
    if effective_staff_role(user):
        return Visibility(everything=True)
    return Visibility(
        organisation_ids=frozenset(_roles_by_organisation(user)),
        network_ids=_coordinated_networks(user),
    )


def visibility_key(user: Any) -> str:
    """Whom a cached value computed for ``user`` is for: everything (staff, a national token), nothing
    (anonymous), or the organisations and networks they see — two users with the same key see the same."""
    if user is None:
        return "public"
    scope = visibility(user)
    if scope.everything:
        return "all"
    return (
        "ids:"
        + ",".join(map(str, sorted(scope.organisation_ids)))
        + "|nets:"
        + ",".join(map(str, sorted(scope.network_ids)))
    )


def _organisation_of(obj: Any) -> tuple[int | None, int | None]:
    """(organisation id, Diginettverk id) of an object, for role and coordinator checks."""
    if obj is None:
        return None, None
    org = obj if hasattr(obj, "org_number") else getattr(obj, "organisation", None)
    if org is None:
        return None, None
    # Coordinators follow the municipalities of their Diginettverk: the municipality's own network.
    return org.pk, getattr(org, "coordinated_network_id", None)


def org_roles(user: Any, obj: Any) -> frozenset[str]:
    org_id, _network = _organisation_of(obj)
    if isinstance(user, TokenPrincipal):
        return frozenset({TOKEN_ORG_ROLE}) if org_id is not None and org_id == user.organisation_id else frozenset()
    if org_id is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return _roles_by_organisation(user).get(org_id, frozenset())


def can(user: Any, action: Action, obj: Any = None) -> bool:
    """May ``user`` perform ``action`` (on ``obj``, when the action is about an object)?"""
    user = _concrete(user)
    if isinstance(user, TokenPrincipal):
        return _token_can(user, action, obj)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    rule = POLICY[action]
    staff = effective_staff_role(user)
    if staff:
        return staff in rule.staff
    if obj is None:
        return rule.coordinator and bool(_coordinated_networks(user))
    if rule.org_roles & org_roles(user, obj):
        return True
    scope = DELEGATE_SCOPE.get(action)
    if scope is not None and scope in delegations(user).get(_organisation_of(obj)[0] or 0, frozenset()):
        return True
    if rule.reporter and getattr(obj, "reported_by_id", None) == user.pk:
        return True
    _org, network = _organisation_of(obj)
    return rule.coordinator and network is not None and network in _coordinated_networks(user)


class ActionDenied(PermissionDenied):
    """The 403 of ``require``: which action on which object was refused (the error page records it)."""

    def __init__(self, action: Action, obj: Any) -> None:
        self.action = action
        self.obj = obj
        super().__init__(str(action))


def require(user: Any, action: Action, obj: Any = None) -> None:
    """Raise PermissionDenied (403, as ``ActionDenied``) unless ``can``."""
    if not can(user, action, obj):
        raise ActionDenied(action, obj)


def get_visible_or_404(queryset: Any, user: Any, action: Action, **lookup: Any) -> Any:
    """Load an object the user can see (else 404), then check the action on it (else 403)."""
    try:
        obj = queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    require(user, action, obj)
    return obj


class DelegationExpired(PermissionDenied):
    """A former delegate asks for a signing page: say when the delegation ended and who gave it."""

    def __init__(self, grant: Any) -> None:
        self.grant = grant
        super().__init__("delegation expired")


def is_visible(user: Any, organisation: Any) -> bool:
    seen = visibility(user)
    if seen.everything or organisation.pk in seen.organisation_ids:
        return True
    network = getattr(organisation, "coordinated_network_id", None)
    return network is not None and network in seen.network_ids


def get_for_signing_or_404(queryset: Any, user: Any, action: Action, **lookup: Any) -> Any:
    """An organisation's signing page: for those who see the organisation, as ``get_visible_or_404``;
    for a delegate, only the signing the delegation names (else 404). A delegate whose delegation has
    ended gets DelegationExpired, so the page can say when and who delegated."""
    try:
        organisation = queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if is_visible(user, organisation):
        require(user, action, organisation)
        return organisation
    scope = DELEGATE_SCOPE.get(action)
    if scope is not None and scope in delegations(user).get(organisation.pk, frozenset()):
        return organisation
    if scope is not None:
        expired = expired_delegation(user, organisation)
        if expired is not None:
            raise DelegationExpired(expired)
    raise Http404


def expired_delegation(user: Any, organisation: Any) -> Any:
    """The person's most recent delegation to sign for the organisation that has ended, or None."""
    user = _concrete(user)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        user.organisation_roles.filter(
            organisation=organisation, signatory_basis=DELEGATED, valid_until__lt=timezone.localdate()
        )
        .select_related("granted_by", "organisation")
        .order_by("-valid_until")
        .first()
    )


def has_admin_permission(user: Any, perm: str) -> bool:
    """Model permissions for the Django admin ("app.view_model", "app.change_model", …)."""
    app_label, _, codename = perm.partition(".")
    verb, _, model = codename.partition("_")
    if f"{app_label}.{model}" in RESTRICTED_ADMIN_MODELS:
        return can(user, Action.ADMIN_WRITE)
    if verb == "view":
        return can(user, Action.ADMIN_VIEW)
    return can(user, Action.ADMIN_WRITE)


def has_admin_module_permission(user: Any, app_label: str) -> bool:
    return can(user, Action.ADMIN_VIEW)
