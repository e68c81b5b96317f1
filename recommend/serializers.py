"""Request and response bodies of the recommender's REST interface."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from cms.api.serializers import ProductCardSerializer
from recommend import shoppers
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


class LookupParameters(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LIMIT,
        default=DEFAULT_LIMIT,
        help_text="How many products at most.",
    )


class RecommendedProductSerializer(ProductCardSerializer):
    """The catalog's product card with the recommendation's score."""

    score = serializers.FloatField(read_only=True, help_text="Higher is more relevant.")

    class Meta(ProductCardSerializer.Meta):
        fields = [*ProductCardSerializer.Meta.fields, "score"]


class RecommendationsSerializer(serializers.Serializer):
    fallback = serializers.BooleanField(
        help_text="True when the trained results are unavailable and these are "
        "the most popular products from the database."
    )
    version = serializers.CharField(
        allow_null=True, help_text="The trained version that answered."
    )
    results = RecommendedProductSerializer(many=True)


class EventSerializer(serializers.Serializer):
    # Page ids are 32-bit.
    product = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="A live product's `id`."
    )
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
    events = EventSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_EVENTS,
        help_text=f"1 to {MAX_EVENTS} events, stored all or none.",
    )


class EventsAcceptedSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()
