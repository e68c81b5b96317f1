"""Order API shapes: everything is read-only; staff actions take only what
they need (a tracking number, an amount, a note)."""

from rest_framework import serializers

from shop.orders.models import Fulfillment, Order, OrderEvent, OrderLine
from shop.payments.models import Payment


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "variant_id",
            "product_name",
            "variant_name",
            "sku",
            "quantity",
            "quantity_fulfilled",
            "quantity_restocked",
            "unit_price_net",
            "unit_price_gross",
            "total_net",
            "total_gross",
        ]
        read_only_fields = fields


class OrderEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderEvent
        fields = ["type", "created_at", "note"]
        read_only_fields = fields


class FulfillmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fulfillment
        fields = ["id", "tracking_number", "created_at"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "gateway",
            "status",
            "amount",
            "captured_amount",
            "capturing_amount",
            "refunded_amount",
            "currency",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    taxes = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    fulfillments = FulfillmentSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "email",
            "currency",
            "shipping_address",
            "billing_address",
            "shipping_method_name",
            "voucher_code",
            "subtotal_net",
            "subtotal_gross",
            "shipping_net",
            "shipping_gross",
            "discount_amount",
            "taxes",
            "total_net",
            "total_gross",
            "created_at",
            "lines",
            "payments",
            "fulfillments",
            "events",
        ]
        read_only_fields = fields


class OrderListSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "email",
            "currency",
            "total_gross",
            "created_at",
        ]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, default="")


class FulfilLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class FulfilSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    lines = FulfilLineSerializer(
        many=True,
        required=False,
        help_text="Omit to ship everything not shipped yet.",
    )


def amount_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=help_text,
    )


class CaptureSerializer(serializers.Serializer):
    amount = amount_field("Omit to capture everything still authorized.")


class RefundSerializer(NoteSerializer):
    amount = amount_field("Omit to refund everything still refundable.")
    restock = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Put the shipped units back in stock (they came back).",
    )
