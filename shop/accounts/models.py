from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower

from shop.accounts.countries import validate_country_code
from shop.api.validators import reject_bidi_controls

# For every field people type text into.
TEXT = [reject_bidi_controls]


class UserManager(DjangoUserManager):
    """Users sign in with their email; the username is kept equal to it."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        return super().create_superuser(email, email, password, **extra_fields)


class User(AbstractUser):
    email = models.EmailField("email address", unique=True)
    # AbstractUser's names, refusing bidirectional controls.
    first_name = models.CharField(
        "first name", max_length=150, blank=True, validators=TEXT
    )
    last_name = models.CharField(
        "last name", max_length=150, blank=True, validators=TEXT
    )
    # Foreign keys, not flags on the addresses: a user has at most one default of
    # each kind by construction. shop.accounts.services keeps them the user's own.
    default_shipping_address = models.ForeignKey(
        "accounts.Address",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    default_billing_address = models.ForeignKey(
        "accounts.Address",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        constraints = [
            # Sign-in matches emails without regard to case, so must uniqueness.
            models.UniqueConstraint(Lower("email"), name="user_email_unique_any_case")
        ]

    def save(self, *args, **kwargs):
        self.username = self.email
        super().save(*args, **kwargs)


class Address(models.Model):
    """One of a shopper's saved addresses (orders copy theirs, never point here)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    first_name = models.CharField(max_length=150, validators=TEXT)
    last_name = models.CharField(max_length=150, validators=TEXT)
    company_name = models.CharField(max_length=255, blank=True, validators=TEXT)
    street_address_1 = models.CharField(max_length=255, validators=TEXT)
    street_address_2 = models.CharField(max_length=255, blank=True, validators=TEXT)
    city = models.CharField(max_length=255, validators=TEXT)
    postal_code = models.CharField(max_length=20, validators=TEXT)
    country = models.CharField(
        max_length=2,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2 code, e.g. DE.",
    )
    country_area = models.CharField(max_length=128, blank=True, validators=TEXT)
    phone = models.CharField(max_length=32, blank=True, validators=TEXT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "addresses"

    def __str__(self):
        return f"{self.first_name} {self.last_name}, {self.city} {self.country}"
