"""Request and response bodies of the recommender's REST interface."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from cms.models import CategoryPage, Gender
from recommend import services, shoppers
from recommend.models import InteractionKind

MAX_LIMIT = 50
DEFAULT_LIMIT = 12
MAX_EVENTS = 100
# Events older than this are refused: history that old barely counts, and a
# replayed backlog should go through an import, not the public API.
MAX_EVENT_AGE = timedelta(days=30)
# Client clocks run a little fast; more than this ahead is refused.
CLOCK_SKEW = timedelta(minutes=5)
# Purchases are recorded by the shop when an order is placed (recommend.plugin),
# never taken from clients.
CLIENT_KINDS = [
    (kind.value, kind.label)
    for kind in InteractionKind
    if kind != InteractionKind.PURCHASE
]
PRICE = {"max_digits": 12, "decimal_places": 2, "min_value": 0, "required": False}


class LookupParameters(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT
    )
    category = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="A live category's id: its products and its subcategories'.",
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    price_min = serializers.DecimalField(
        **PRICE, help_text="Some active variant costs at least this."
    )
    price_max = serializers.DecimalField(
        **PRICE, help_text="Some active variant costs at most this."
    )
    in_stock = serializers.BooleanField(
        default=False, help_text="Only products with a variant in stock."
    )

    def validate_category(self, value):
        if not CategoryPage.objects.live().filter(pk=value).exists():
            raise ValidationError(f"No category with id {value}.")
        return value

    def validate(self, attrs):
        low, high = attrs.get("price_min"), attrs.get("price_max")
        if low is not None and high is not None and low > high:
            raise ValidationError({"price_max": ["Must not be below price_min."]})
        return attrs

    def filters(self) -> services.Filters:
        data = self.validated_data
        return services.Filters(
            category_id=data.get("category"),
            gender=data.get("gender"),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            in_stock=data["in_stock"],
        )


class SummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField(
        allow_null=True,
        help_text="The storefront page's full URL (None outside every site).",
    )
    brand = serializers.CharField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2)
    rating_count = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    in_stock = serializers.BooleanField()
    image_id = serializers.IntegerField(
        allow_null=True, help_text="The main image (wagtailimages id), if any."
    )
    score = serializers.FloatField(help_text="Higher is more relevant.")


class RecommendationsSerializer(serializers.Serializer):
    fallback = serializers.BooleanField(
        help_text="True when the trained results are unavailable and these are "
        "the most popular products from the database."
    )
    version = serializers.CharField(
        allow_null=True, help_text="The trained version that answered."
    )
    results = SummarySerializer(many=True)


class EventSerializer(serializers.Serializer):
    # Page ids are 32-bit.
    product = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(
        choices=CLIENT_KINDS,
        help_text="Purchases are recorded by the shop itself, not taken here.",
    )
    at = serializers.DateTimeField(
        required=False,
        help_text="When it happened (default: now); not in the future, at most "
        f"{MAX_EVENT_AGE.days} days ago.",
    )
    session_id = serializers.RegexField(
        shoppers.SESSION_ID,
        required=False,
        help_text=f"The anonymous shopper's id ({shoppers.SESSION_ID_HELP}); "
        f"default: the {shoppers.HEADER} header, else the session cookie.",
    )

    def validate_at(self, value):
        now = timezone.now()
        if value > now + CLOCK_SKEW:
            raise ValidationError("Must not be in the future.")
        if value < now - MAX_EVENT_AGE:
            raise ValidationError(f"Must be within the last {MAX_EVENT_AGE.days} days.")
        return value


class EventBatchSerializer(serializers.Serializer):
    events = EventSerializer(many=True, allow_empty=False, max_length=MAX_EVENTS)


class EventsAcceptedSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()


def _key(prefix: str, name) -> str:
    if isinstance(name, int):  # a list item
        return f"{prefix}[{name}]"
    if name == api_settings.NON_FIELD_ERRORS_KEY and prefix:
        return prefix
    return f"{prefix}.{name}" if prefix else name


def flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as {"events[2].product": [...]} (the error body
    keeps one level of fields)."""
    if isinstance(errors, dict):
        flat = {}
        for name, value in errors.items():
            flat.update(flatten(value, _key(prefix, name)))
        return flat
    return {prefix: [str(message) for message in errors]}
