"""The account pages' forms (and the address form the checkout shares).

Forms only parse and check what a person typed; the writes and every business
rule stay in shop.accounts.services, whose AccountError codes the views put
beside the field they concern (``add_service_error``).
"""

from babel import Locale
from django import forms

from shop.accounts.countries import COUNTRY_CODES
from shop.accounts.models import Address
from shop.accounts.services import ADDRESS_FIELDS
from shop.api.validators import reject_bidi_controls


def country_choices() -> list[tuple[str, str]]:
    """ISO codes named in English, sorted by name."""
    names = Locale("en").territories
    return sorted(
        ((code, names.get(code, code)) for code in COUNTRY_CODES),
        key=lambda choice: choice[1],
    )


COUNTRY_CHOICES = [("", "Choose a country"), *country_choices()]

AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "company_name": "organization",
    "street_address_1": "address-line1",
    "street_address_2": "address-line2",
    "city": "address-level2",
    "postal_code": "postal-code",
    "country": "country",
    "country_area": "address-level1",
    "phone": "tel",
}


def add_service_error(form: forms.Form, error) -> None:
    """A ServiceError shown beside its field when the form has it, else on top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class AddressForm(forms.ModelForm):
    """An address with the account address's rules (required fields, country
    code, no bidirectional controls); ``address_data()`` is what the checkout
    copies and ``shop.accounts.services.save_address`` stores."""

    country = forms.ChoiceField(choices=COUNTRY_CHOICES)

    class Meta:
        model = Address
        fields = list(ADDRESS_FIELDS)
        labels = {
            "street_address_1": "Street address",
            "street_address_2": "Apartment, suite, floor (optional)",
            "company_name": "Company (optional)",
            "country_area": "State or region (optional)",
            "phone": "Phone (optional)",
        }
        help_texts = {"country": ""}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "shipping address-line1": browsers fill each address from its own set.
        section = f"{self.prefix} " if self.prefix else ""
        for name, token in AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = section + token

    def address_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ADDRESS_FIELDS}


class AccountAddressForm(AddressForm):
    is_default_shipping = forms.BooleanField(
        required=False, label="Default shipping address"
    )
    is_default_billing = forms.BooleanField(
        required=False, label="Default billing address"
    )


def password_field(label: str, autocomplete: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def email_field(autocomplete: str = "email") -> forms.EmailField:
    return forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": autocomplete}),
    )


class SignInForm(forms.Form):
    email = email_field("username")
    password = password_field("Password", "current-password")


class RegisterForm(forms.Form):
    email = email_field("username")
    password = password_field("Password", "new-password")
    first_name = forms.CharField(
        label="First name (optional)",
        max_length=150,
        required=False,
        validators=[reject_bidi_controls],
    )
    last_name = forms.CharField(
        label="Last name (optional)",
        max_length=150,
        required=False,
        validators=[reject_bidi_controls],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "password"
        ].help_text = "At least 8 characters, not a common password, not only digits."


class PasswordResetForm(forms.Form):
    email = email_field()


class NewPasswordForm(forms.Form):
    new_password = password_field("New password", "new-password")
