"""Checkout API shapes. Every amount is computed on the server (see
shop.checkout.services.compute_totals); none is ever read from a request."""

from rest_framework import serializers

from shop.accounts.serializers import AddressSerializer
from shop.core.money import MoneyField, TaxedMoneyField


class CheckoutCreateSerializer(serializers.Serializer):
    """Nothing to send: the checkout is made from the request's cart."""


class CheckoutUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(
        max_length=254, required=False, help_text="Where the order confirmation goes."
    )
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
    shipping_method_id = serializers.CharField(
        max_length=128, help_text="An `id` from the shipping methods offered."
    )


class VoucherCodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=64, help_text="The voucher code (any case)."
    )


class CompleteSerializer(serializers.Serializer):
    gateway = serializers.CharField(
        max_length=64, help_text="An `id` from the checkout's payment gateways."
    )
    payment_token = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the gateway's client gave (a card token); not stored.",
    )


class ShippingMethodSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Send it as `shipping_method_id`.")
    name = serializers.CharField()
    price = MoneyField(help_text="Before taxes are added for the address.")


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
    unit_price = MoneyField()
    total = TaxedMoneyField()


class TotalsSerializer(serializers.Serializer):
    subtotal = TaxedMoneyField(help_text="The lines, taxed.")
    shipping = TaxedMoneyField()
    discount = MoneyField(help_text="The voucher's discount, off the gross.")
    taxes = MoneyField(help_text="total.gross − total.net.")
    total = TaxedMoneyField()
    voucher_error = serializers.CharField(
        allow_null=True,
        help_text="The error code of a voucher that no longer applies, else null.",
    )


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
                    "unit_price": info.unit_price,
                    "total": total,
                }
                for line, info, total in zip(
                    state.lines, state.info.lines, totals.line_totals, strict=True
                )
            ],
            "totals": {
                "subtotal": totals.subtotal,
                "shipping": totals.shipping,
                "total": totals.total,
                "discount": totals.discount,
                "taxes": totals.taxes,
                "voucher_error": totals.voucher_error.code
                if totals.voucher_error
                else None,
            },
            "completed": checkout.completed_at is not None,
        }
