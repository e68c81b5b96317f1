from django.conf import settings
from rest_framework import serializers

from shop.cart import services


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
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="variant.price"
    )
    line_total = serializers.SerializerMethodField()
    is_available = serializers.SerializerMethodField(
        help_text="False when the variant can no longer be bought in this quantity."
    )

    def get_line_total(self, line) -> str:
        return f"{services.line_total(line):.2f}"

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
    currency = serializers.CharField()
    lines = CartLineSerializer(many=True)
    quantity = serializers.IntegerField(help_text="Units over all lines.")
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2)

    @staticmethod
    def build(cart, lines) -> dict:
        return {
            "token": cart.token if cart else None,
            "currency": (
                lines[0].variant.currency if lines else settings.DEFAULT_CURRENCY
            ),
            "lines": lines,
            "quantity": sum(line.quantity for line in lines),
            "subtotal": services.cart_subtotal(lines),
        }


class AddLineSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    # Range checked by the service, which knows the limit and the stock.
    quantity = serializers.IntegerField()


class SetQuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(help_text="0 removes the line.")
