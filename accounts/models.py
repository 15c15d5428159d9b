from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.mail import is_deliverable
from core.roles import StaffRole


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["is_superuser"] = True
        fields.setdefault("staff_role", StaffRole.SYSTEM_ADMIN)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to the portal: a member's employee or NHN staff.

    People sign in with their e-mail address (OIDC through ID-porten/HelseID comes later, as another
    authentication backend). What they may do comes from ``staff_role`` (NHN staff) and their roles
    per organisation (organisations.OrganisationRole); the permission module reads both.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    staff_role = models.CharField(
        _("NHN staff role"),
        max_length=32,
        choices=StaffRole.choices,
        blank=True,
        help_text=_("Only for employees of Norsk helsenett."),
    )
    # The person behind the account, from an identity provider (ID-porten, HelseID). The national
    # identity number itself is never stored: only its keyed digest (accounts.personal_id.digest),
    # which links two providers' logins of the same person, and the birth date, which the authority
    # check matches against the register's roles.
    national_id_digest = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False, verbose_name=_("national id digest")
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo user"), default=False, editable=False)
    # Bumped when the account is deactivated (accounts.signals): part of every session's auth hash, so
    # deactivation ends all sessions and reactivation does not bring them back.
    session_generation = models.PositiveIntegerField(default=0, editable=False, verbose_name=_("session generation"))
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The language the person last picked while logged in (nb, nn or en); e-mails to them use it
    # unless their organisation's register entry states a written form. Empty: the portal's default.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.contact_email or "?"

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def is_staff(self) -> bool:
        """NHN staff reach the admin site; members never do. Derived, so it cannot drift."""
        return self.is_superuser or bool(self.staff_role)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, with the session generation mixed in (Django 5.2's hook,
        used by get_session_auth_hash and for SECRET_KEY_FALLBACKS)."""
        key_salt = "accounts.User.session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_generation}", secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def has_email(self) -> bool:
        """False while the account holds the placeholder address given at a first ID-porten or HelseID
        login (``…@no-email.invalid``): it is never shown and never written to."""
        return is_deliverable(self.email)

    @property
    def contact_email(self) -> str:
        """The address to show or write to: empty while the account has only the placeholder."""
        return self.email if self.has_email else ""

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.contact_email


class ExternalIdentity(models.Model):
    """A login at an identity provider that belongs to an account: (issuer, subject) names it.

    The same subject at another issuer is another identity; two issuers reach one account only through
    the national identity number's digest on the User, never through an e-mail address.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    hpr_number = models.CharField(_("HPR number"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("linked"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_issuer_subject")]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
