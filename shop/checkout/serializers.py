"""Checkout API shapes. Every amount is computed on the server (see
shop.checkout.services.compute_totals); none is ever read from a request."""

from rest_framework import serializers

from shop.accounts.models import Address
from shop.accounts.services import ADDRESS_FIELDS


def money(value) -> dict:
    return {"amount": str(value.amount), "currency": value.currency}


class MoneySerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()


class TaxedMoneySerializer(serializers.Serializer):
    net = MoneySerializer()
    gross = MoneySerializer()


class AddressSerializer(serializers.ModelSerializer):
    """The account address's rules (required fields, ISO country code); the
    checkout keeps a copy, never a reference."""

    class Meta:
        model = Address
        fields = list(ADDRESS_FIELDS)

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("country"), str):
            data = {**data, "country": data["country"].strip().upper()}
        return super().to_internal_value(data)


class CheckoutCreateSerializer(serializers.Serializer):
    """Nothing to send: the checkout is made from the request's cart."""


class CheckoutUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, required=False)
    shipping_address = AddressSerializer(required=False)
    billing_address = AddressSerializer(required=False)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: ["This field cannot be set."] for name in sorted(unknown)}
            )
        if not attrs:
            raise serializers.ValidationError("Send at least one field.")
        return attrs


class ShippingMethodChoiceSerializer(serializers.Serializer):
    shipping_method_id = serializers.CharField(max_length=128)


class VoucherCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)


class CompleteSerializer(serializers.Serializer):
    gateway = serializers.CharField(max_length=64)
    payment_token = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the gateway's client gave (a card token); not stored.",
    )


class ShippingMethodSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    price = MoneySerializer()


class PaymentGatewaySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    currencies = serializers.ListField(child=serializers.CharField())
    config = serializers.DictField()


class CheckoutLineSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField()
    sku = serializers.CharField()
    product_name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneySerializer()
    total = TaxedMoneySerializer()


class TotalsSerializer(serializers.Serializer):
    subtotal = TaxedMoneySerializer()
    shipping = TaxedMoneySerializer()
    discount = MoneySerializer()
    taxes = MoneySerializer()
    total = TaxedMoneySerializer()
    voucher_error = serializers.CharField(allow_null=True)


class CheckoutSerializer(serializers.Serializer):
    token = serializers.UUIDField()
    email = serializers.EmailField(allow_blank=True)
    shipping_address = AddressSerializer(allow_null=True)
    billing_address = AddressSerializer(allow_null=True)
    shipping_method_id = serializers.CharField(allow_blank=True)
    voucher_code = serializers.CharField(allow_blank=True)
    currency = serializers.CharField()
    lines = CheckoutLineSerializer(many=True)
    totals = TotalsSerializer()
    completed = serializers.BooleanField()

    @staticmethod
    def build(state, totals) -> dict:
        checkout = state.checkout
        taxed = {
            name: {"net": money(value.net), "gross": money(value.gross)}
            for name, value in (
                ("subtotal", totals.subtotal),
                ("shipping", totals.shipping),
                ("total", totals.total),
            )
        }
        return {
            "token": checkout.token,
            "email": checkout.email,
            "shipping_address": checkout.shipping_address,
            "billing_address": checkout.billing_address,
            "shipping_method_id": checkout.shipping_method_id,
            "voucher_code": checkout.voucher_code,
            "currency": checkout.currency,
            "lines": [
                {
                    "variant_id": line.variant_id,
                    "sku": line.variant.sku,
                    "product_name": line.variant.product.title,
                    "quantity": line.quantity,
                    "unit_price": money(info.unit_price),
                    "total": {"net": money(total.net), "gross": money(total.gross)},
                }
                for line, info, total in zip(
                    state.lines, state.info.lines, totals.line_totals, strict=True
                )
            ],
            "totals": {
                **taxed,
                "discount": money(totals.discount),
                "taxes": money(totals.taxes),
                "voucher_error": totals.voucher_error.code
                if totals.voucher_error
                else None,
            },
            "completed": checkout.completed_at is not None,
        }
