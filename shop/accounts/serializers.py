from rest_framework import serializers

from shop.accounts.models import Address, User
from shop.accounts.services import ADDRESS_FIELDS
from shop.api.validators import reject_bidi_controls


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
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


def password_field():
    return serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = password_field()
    first_name = serializers.CharField(
        max_length=150, required=False, default="", validators=[reject_bidi_controls]
    )
    last_name = serializers.CharField(
        max_length=150, required=False, default="", validators=[reject_bidi_controls]
    )


class RegisteredSerializer(serializers.Serializer):
    """What sign-up answers: the same for a new and a taken email."""

    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    detail = serializers.CharField()


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = password_field()
    cart_token = serializers.UUIDField(
        required=False,
        help_text="The anonymous cart to merge into the user's (or the "
        "X-Cart-Token header, or the session's cart).",
    )


class PasswordChangeSerializer(serializers.Serializer):
    old_password = password_field()
    new_password = password_field()


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = password_field()


class AccountAddressSerializer(serializers.ModelSerializer):
    is_default_shipping = serializers.BooleanField(required=False)
    is_default_billing = serializers.BooleanField(required=False)

    class Meta:
        model = Address
        fields = ["id", *ADDRESS_FIELDS, "is_default_shipping", "is_default_billing"]

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
