"""The checkout's forms. Choices (saved addresses, shipping methods, gateways)
come from the server for this checkout; no price is ever read from a form."""

from django import forms

from shop.storefront.account_forms import email_field

NEW_ADDRESS = "new"


class ContactForm(forms.Form):
    """The email (guests only: a signed-in shopper's is their account's), which
    saved address ships (signed in), and whether billing is the same."""

    email = email_field()
    saved_address = forms.ChoiceField(
        label="Ship to", widget=forms.RadioSelect, required=False
    )
    billing_same = forms.BooleanField(
        label="Billing address same as shipping", required=False
    )
    remember = forms.BooleanField(
        label="Save this shipping address to my account", required=False
    )

    def __init__(self, *args, user=None, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        if user is None:
            del self.fields["remember"]
        else:
            del self.fields["email"]
        if addresses:
            self.fields["saved_address"].choices = [
                *((str(address.pk), _one_line(address)) for address in addresses),
                (NEW_ADDRESS, "A new address"),
            ]
        else:
            del self.fields["saved_address"]
        self.addresses = {str(address.pk): address for address in addresses}

    def saved(self):
        """The saved address chosen, or None for a new one."""
        return self.addresses.get(self.cleaned_data.get("saved_address") or "")


def _one_line(address) -> str:
    return ", ".join(
        part
        for part in (
            f"{address.first_name} {address.last_name}",
            address.street_address_1,
            f"{address.postal_code} {address.city}",
            address.country,
        )
        if part.strip()
    )


class ShippingMethodForm(forms.Form):
    shipping_method_id = forms.ChoiceField(
        label="Shipping method", widget=forms.RadioSelect
    )

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipping_method_id"].choices = [
            (m.id, f"{m.name}: {m.price.amount:.2f} {m.price.currency}")
            for m in methods
        ]


class VoucherForm(forms.Form):
    code = forms.CharField(label="Voucher code", max_length=64)


class PaymentForm(forms.Form):
    """The gateway, what its client gives (the dummy gateway: a card number),
    and the idempotency key the page was rendered with (the view makes a new
    one for each render): two submits of one page place one order."""

    gateway = forms.ChoiceField(label="Payment method", widget=forms.RadioSelect)
    card_number = forms.CharField(
        label="Card number",
        max_length=255,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "cc-number", "inputmode": "numeric"}
        ),
    )
    idempotency_key = forms.CharField(max_length=255, widget=forms.HiddenInput)

    def __init__(self, *args, gateways=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gateway"].choices = [(g.id, g.name) for g in gateways]
        if len(gateways) == 1:
            self.fields["gateway"].initial = gateways[0].id

    def clean_card_number(self):
        return "".join(self.cleaned_data["card_number"].split())
