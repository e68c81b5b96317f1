from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from prices import Money
from rest_framework import serializers

from shop.cart import services
from shop.core.money import MoneyField, MoneySerializer, money_json


class CartVariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    size = serializers.CharField()
    color = serializers.CharField()
    product_id = serializers.IntegerField()
    product_title = serializers.CharField(source="product.title")
    product_slug = serializers.CharField(source="product.slug")


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    variant = CartVariantSerializer()
    quantity = serializers.IntegerField()
    unit_price = MoneyField(
        source="variant.price",
        currency_source="variant.currency",
        help_text="The variant's price now; prices are never kept in a cart.",
    )
    line_total = serializers.SerializerMethodField(help_text="unit_price × quantity.")
    is_available = serializers.SerializerMethodField(
        help_text="False when the variant can no longer be bought in this quantity."
    )

    @extend_schema_field(MoneySerializer)
    def get_line_total(self, line) -> dict:
        return money_json(Money(services.line_total(line), line.variant.currency))

    def get_is_available(self, line) -> bool:
        return services.is_sellable(line.variant) and (
            services.available_quantity(line.variant) >= line.quantity
        )


class CartSerializer(serializers.Serializer):
    """A cart as the API shows it: built from the cart and its loaded lines."""

    token = serializers.UUIDField(
        allow_null=True,
        help_text="Send it back as the X-Cart-Token header while anonymous; "
        "null when there is no cart yet.",
    )
    lines = CartLineSerializer(many=True)
    quantity = serializers.IntegerField(help_text="Units over all lines.")
    subtotal = MoneyField(help_text="The lines' totals, before taxes and shipping.")

    @staticmethod
    def build(cart, lines) -> dict:
        return {
            "token": cart.token if cart else None,
            "lines": lines,
            "quantity": sum(line.quantity for line in lines),
            "subtotal": Money(
                services.cart_subtotal(lines),
                lines[0].variant.currency if lines else settings.DEFAULT_CURRENCY,
            ),
        }


class AddLineSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="A variant's `id` (a product's SKU).",
    )
    # Range checked by the service, which knows the limit and the stock.
    quantity = serializers.IntegerField(
        help_text="Units to add: at least 1; a line holds no more than the "
        "shop's line limit (50 by default) nor the stock."
    )


class SetQuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(help_text="0 removes the line.")
