"""Accounts: registration, profile, passwords and addresses.

Every function acts for the user it is given, on that user's own rows only;
the API hands it `request.user`. Failures raise AccountError with a stable code.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import TextChoices
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework.authtoken.models import Token
from wagtail.models import Site

from shop.accounts.models import Address, User
from shop.core.errors import ServiceError
from shop.plugins.manager import get_plugins_manager


class AccountErrorCode(TextChoices):
    INVALID_CREDENTIALS = "invalid_credentials", "Wrong email or password."
    INVALID_PASSWORD = (
        "invalid_password",
        "The new password fails the password rules (the message says which).",
    )
    WRONG_PASSWORD = "wrong_password", "The current password is wrong."
    INVALID_TOKEN = "invalid_token", "The reset link is invalid or expired."
    TOO_MANY_ADDRESSES = (
        "too_many_addresses",
        "The address book is full; delete an address first.",
    )


class AccountError(ServiceError):
    codes = AccountErrorCode


def _validate_password(password: str, user: User, field: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise AccountError("invalid_password", " ".join(exc.messages), field) from exc


def normalize_email(email: str) -> str:
    """Emails are stored lowercased (sign-in ignores case anyway)."""
    return email.strip().lower()


def register_user(
    email: str, password: str, first_name: str = "", last_name: str = ""
) -> User | None:
    """Creates the account and tells the plugins (`customer_created`).

    When the email has an account already, nothing is created: its owner is told
    by email (`account_registration_attempted`) and None is returned. Callers
    answer both cases alike, so that signing up never tells who has an account.
    """
    email = normalize_email(email)
    user = User(email=email, first_name=first_name, last_name=last_name)
    _validate_password(password, user, "password")
    # Hashed in both cases: the time taken does not tell them apart either.
    user.set_password(password)
    with transaction.atomic():
        try:
            # A savepoint: the unique constraint (any case) refuses a taken email,
            # a concurrent sign-up's included.
            with transaction.atomic():
                user.save()
        except IntegrityError:
            _tell_owner_of_registration_attempt(email)
            return None
        get_plugins_manager().customer_created(
            {
                "user_id": user.pk,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
            },
        )
    return user


def _tell_owner_of_registration_attempt(email: str) -> None:
    owner = User.objects.filter(email__iexact=email, is_active=True).first()
    if owner is not None:
        # No reset link: this event also reaches webhook receivers.
        get_plugins_manager().account_registration_attempted({"email": owner.email})


def update_profile(user: User, **changes) -> User:
    """Changes the names (the email is the login and stays)."""
    allowed = {"first_name", "last_name"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Cannot change {sorted(unknown)}")
    for name, value in changes.items():
        setattr(user, name, value)
    user.save(update_fields=list(changes))
    return user


def change_password(user: User, old_password: str, new_password: str) -> None:
    """Also revokes the user's API token: every other client signs in again."""
    if not user.check_password(old_password):
        raise AccountError(
            "wrong_password", "The current password is wrong.", "old_password"
        )
    _validate_password(new_password, user, "new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        Token.objects.filter(user=user).delete()


def request_password_reset(email: str) -> None:
    """Emails a reset link when an active account has this email; silent otherwise,
    so that the answer never tells who has an account."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    query = urlencode(
        {
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
    )
    get_plugins_manager().account_password_reset_requested(
        {"email": user.email, "reset_url": f"{password_reset_page()}?{query}"},
    )


def password_reset_page() -> str:
    """Where the reset email sends the shopper (see settings.PASSWORD_RESET_URL):
    by default the storefront's page, which posts uid and token to the same
    service as the API's reset-confirm endpoint."""
    if settings.PASSWORD_RESET_URL:
        return settings.PASSWORD_RESET_URL
    site = Site.objects.filter(is_default_site=True).first()
    root = site.root_url if site else settings.WAGTAILADMIN_BASE_URL
    return root + reverse("storefront:password-reset-confirm")


def confirm_password_reset(uid: str, token: str, new_password: str) -> User:
    """Sets the new password; the token stops working once the password changed."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError):
        pk = None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None or not default_token_generator.check_token(user, token):
        raise AccountError("invalid_token", "The reset link is invalid or expired.")
    _validate_password(new_password, user, "new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        Token.objects.filter(user=user).delete()
    return user


# An address book, not a store: keeps one account from filling the table.
MAX_ADDRESSES = 30
ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "street_address_1",
    "street_address_2",
    "city",
    "postal_code",
    "country",
    "country_area",
    "phone",
)


def save_address(
    user: User,
    data: dict,
    address: Address | None = None,
    default_shipping: bool | None = None,
    default_billing: bool | None = None,
) -> Address:
    """Creates (no `address`) or updates one of the user's addresses; True or
    False for a default makes it, or stops it being, that default."""
    if address is not None and address.user_id != user.pk:
        raise ValueError("Not the user's address")
    if address is None:
        if user.addresses.count() >= MAX_ADDRESSES:
            raise AccountError(
                "too_many_addresses", f"At most {MAX_ADDRESSES} addresses per account."
            )
        address = Address(user=user)
    for name, value in data.items():
        if name not in ADDRESS_FIELDS:
            raise ValueError(f"Unknown address field {name!r}")
        setattr(address, name, value)
    address.full_clean(exclude=["user"])
    with transaction.atomic():
        address.save()
        _set_defaults(user, address, default_shipping, default_billing)
    return address


def _set_defaults(user, address, default_shipping, default_billing) -> None:
    changed = []
    for field, wanted in (
        ("default_shipping_address_id", default_shipping),
        ("default_billing_address_id", default_billing),
    ):
        if wanted is None:
            continue
        current = getattr(user, field)
        if wanted and current != address.pk:
            setattr(user, field, address.pk)
            changed.append(field.removesuffix("_id"))
        elif not wanted and current == address.pk:
            setattr(user, field, None)
            changed.append(field.removesuffix("_id"))
    if changed:
        user.save(update_fields=changed)


def delete_address(user: User, address: Address) -> None:
    """A default address deleted leaves no default of that kind (SET_NULL)."""
    if address.user_id != user.pk:
        raise ValueError("Not the user's address")
    pk = address.pk
    address.delete()
    # The database cleared the user's default; keep the in-memory user in step.
    if user.default_shipping_address_id == pk:
        user.default_shipping_address_id = None
    if user.default_billing_address_id == pk:
        user.default_billing_address_id = None
