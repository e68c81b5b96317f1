"""Order API shapes: everything is read-only; staff actions take only what
they need (a tracking number, an amount, a note)."""

from rest_framework import serializers

from shop.accounts.serializers import AddressSerializer
from shop.core.money import AMOUNT, MoneyField, TaxedMoneyField
from shop.orders.models import Fulfillment, Order, OrderEvent, OrderLine
from shop.payments.models import Payment

ORDER_CURRENCY = "order.currency"


class OrderLineSerializer(serializers.ModelSerializer):
    unit_price = TaxedMoneyField(
        net="unit_price_net", gross="unit_price_gross", currency_source=ORDER_CURRENCY
    )
    total = TaxedMoneyField(
        net="total_net", gross="total_gross", currency_source=ORDER_CURRENCY
    )

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
            "unit_price",
            "total",
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
    amount = MoneyField(currency_source="currency")
    captured_amount = MoneyField(currency_source="currency")
    capturing_amount = MoneyField(
        currency_source="currency", help_text="Being captured right now."
    )
    refunded_amount = MoneyField(currency_source="currency")

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
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    shipping_address = AddressSerializer(read_only=True, allow_null=True)
    billing_address = AddressSerializer(read_only=True, allow_null=True)
    subtotal = TaxedMoneyField(net="subtotal_net", gross="subtotal_gross")
    shipping = TaxedMoneyField(net="shipping_net", gross="shipping_gross")
    discount = MoneyField(source="discount_amount", currency_source="currency")
    taxes = MoneyField(currency_source="currency", help_text="total.gross − total.net.")
    total = TaxedMoneyField(net="total_net", gross="total_gross")
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
            "subtotal",
            "shipping",
            "discount",
            "taxes",
            "total",
            "created_at",
            "lines",
            "payments",
            "fulfillments",
            "events",
        ]
        read_only_fields = fields


class OrderListSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    total = TaxedMoneyField(net="total_net", gross="total_gross")

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "email",
            "currency",
            "total",
            "created_at",
        ]
        read_only_fields = fields


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=1000,
        required=False,
        default="",
        help_text="Kept in the order's history.",
    )


class FulfilLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(min_value=1, help_text="An order line's `id`.")
    quantity = serializers.IntegerField(
        min_value=1, max_value=1_000_000, help_text="Units of it to ship."
    )


class FulfilSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text="The carrier's, shown to the shopper.",
    )
    lines = FulfilLineSerializer(
        many=True,
        required=False,
        help_text="Omit to ship everything not shipped yet.",
    )


def amount_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        **AMOUNT,
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
