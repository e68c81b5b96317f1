from rest_framework import serializers

from shop.accounts.models import Address, User
from shop.accounts.services import ADDRESS_FIELDS
from shop.api.validators import reject_bidi_controls

# What each address field holds (for the schema; every address serializer).
ADDRESS_HELP = {
    "first_name": "Recipient's first name.",
    "last_name": "Recipient's last name.",
    "company_name": "Optional.",
    "street_address_1": "Street and number.",
    "street_address_2": "Optional: flat, floor, building.",
    "city": "City or town.",
    "postal_code": "Postal code; shipping rates and taxes may depend on it.",
    "country": "ISO 3166-1 alpha-2 code, e.g. `DE` (any case).",
    "country_area": "Optional: state, province or region.",
    "phone": "Optional, for the carrier.",
}
ADDRESS_EXTRA_KWARGS = {
    name: {"help_text": text} for name, text in ADDRESS_HELP.items()
}


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        extra_kwargs = {
            "first_name": {"help_text": "Shown on reviews; optional."},
            "last_name": {"help_text": "Optional."},
        }
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "default_shipping_address",
            "default_billing_address",
        ]
        read_only_fields = [
            "id",
            "email",
            "default_shipping_address",
            "default_billing_address",
        ]


class AddressSerializer(serializers.ModelSerializer):
    """The account address's rules (required fields, ISO country code); the
    checkout keeps a copy, never a reference."""

    class Meta:
        model = Address
        fields = list(ADDRESS_FIELDS)
        extra_kwargs = ADDRESS_EXTRA_KWARGS

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("country"), str):
            data = {**data, "country": data["country"].strip().upper()}
        return super().to_internal_value(data)


def password_field(help_text: str):
    return serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, help_text=help_text
    )


NEW_PASSWORD = "At least 8 characters, not common, not all digits."


def email_field(help_text: str = "The sign-in email (any case)."):
    return serializers.EmailField(max_length=254, help_text=help_text)


class RegisterSerializer(serializers.Serializer):
    email = email_field("The sign-in name; one account per email.")
    password = password_field(NEW_PASSWORD)
    first_name = serializers.CharField(
        max_length=150,
        required=False,
        default="",
        validators=[reject_bidi_controls],
        help_text="Optional.",
    )
    last_name = serializers.CharField(
        max_length=150,
        required=False,
        default="",
        validators=[reject_bidi_controls],
        help_text="Optional.",
    )


class RegisteredSerializer(serializers.Serializer):
    """What sign-up answers: the same for a new and a taken email."""

    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    detail = serializers.CharField()


class LoginSerializer(serializers.Serializer):
    email = email_field()
    password = password_field("The account's password.")
    cart_token = serializers.UUIDField(
        required=False,
        help_text="The anonymous cart to merge into the user's (or the "
        "X-Cart-Token header, or the session's cart).",
    )


class PasswordChangeSerializer(serializers.Serializer):
    old_password = password_field("The current password.")
    new_password = password_field(NEW_PASSWORD)


class PasswordResetSerializer(serializers.Serializer):
    email = email_field("The account's email; unknown ones get the same answer.")


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text="`uid` from the reset link.")
    token = serializers.CharField(
        max_length=128, help_text="`token` from the reset link."
    )
    new_password = password_field(NEW_PASSWORD)


class AccountAddressSerializer(serializers.ModelSerializer):
    is_default_shipping = serializers.BooleanField(
        required=False, help_text="Make it (or stop it being) the default."
    )
    is_default_billing = serializers.BooleanField(
        required=False, help_text="Make it (or stop it being) the default."
    )

    class Meta:
        model = Address
        fields = ["id", *ADDRESS_FIELDS, "is_default_shipping", "is_default_billing"]
        extra_kwargs = ADDRESS_EXTRA_KWARGS

    def to_representation(self, address):
        data = super().to_representation(address)
        user = self.context["request"].user
        data["is_default_shipping"] = user.default_shipping_address_id == address.pk
        data["is_default_billing"] = user.default_billing_address_id == address.pk
        return data


class MergedLineSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField()
    sku = serializers.CharField()
    requested = serializers.IntegerField()
    added = serializers.IntegerField()
    quantity = serializers.IntegerField()
    outcome = serializers.ChoiceField(["merged", "capped", "dropped"])
    reason = serializers.CharField(allow_null=True)


class CartMergeSerializer(serializers.Serializer):
    lines = MergedLineSerializer(many=True)
    changed = serializers.BooleanField(
        help_text="True when some units could not be merged: tell the shopper."
    )


class SessionSerializer(serializers.Serializer):
    user = ProfileSerializer(allow_null=True)
    cart_merge = CartMergeSerializer(allow_null=True, required=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    user = ProfileSerializer()
    cart_merge = CartMergeSerializer(allow_null=True)


class NewTokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        allow_null=True,
        help_text="The replacement API token when the request used one.",
    )
