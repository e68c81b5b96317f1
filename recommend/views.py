"""REST interface of the recommender: three lookups and the events endpoint.

Lookups answer {"fallback", "version", "results"} with the catalog's product
cards in them (plus each one's `score`), so a headless client needs one call;
they take the product list's filters, meaning the same. Each costs one store
round trip and a fixed number of database queries whatever `limit` (see the
tests).
"""

from django.core.cache import cache as django_cache
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from cms import readmodel, selectors
from cms.api.caching import CachedReadMixin
from cms.api.filters import ProductFilter
from cms.models import ProductPage
from recommend import interactions, services, shoppers
from recommend.serializers import (
    MAX_EVENTS,
    EventBatchSerializer,
    EventsAcceptedSerializer,
    LookupParameters,
    RecommendationsSerializer,
    RecommendedProductSerializer,
)
from shop.api.errors import ApiErrorCode, error_responses
from shop.api.parsers import JSONParser


class RecommendationFilter(ProductFilter):
    """The product list's filters, meaning exactly what they mean there; the
    ranking decides the order."""

    ordering = None


LOOKUP_RESPONSES = {
    200: RecommendationsSerializer,
    **error_responses(ApiErrorCode.INVALID),
}
LOOKUP_PARAMETERS = [LookupParameters]


class LookupView(GenericAPIView):
    """Ranked ids from the store, then the catalog's product cards for them,
    narrowed by the catalog's filters (`filters=True` in each schema)."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = RecommendationFilter
    serializer_class = RecommendedProductSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.product_list()

    def ranked(self, request, categories: list) -> services.Ranked:
        raise NotImplementedError

    def get(self, request, **kwargs):
        parameters = LookupParameters(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        filters = self.filterset_class(request.query_params, self.get_queryset())
        if not filters.is_valid():
            raise ValidationError(filters.errors)
        ranked = self.ranked(request, filters.form.cleaned_data.get("category") or [])
        products = services.ranked_products(
            ranked, filters.qs, limit=parameters.validated_data["limit"]
        )
        body = {
            "fallback": ranked.fallback,
            "version": ranked.version,
            "results": products,
        }
        return Response(
            RecommendationsSerializer(body, context={"request": request}).data
        )


class CachedLookupView(CachedReadMixin, LookupView):
    """A lookup cached under the catalog's generation, which a published
    training run renews too (see recommend.pipeline). Answers from the fallback
    are not kept: the store coming back changes them without any catalog
    change."""

    def cached_read_generations(self, request, **kwargs):
        return [readmodel.CATALOG]

    def cacheable_answer(self, response):
        return not response.data["fallback"]


class SimilarProducts(CachedLookupView):
    @extend_schema(
        summary='Products like this one ("you may also like")',
        description="Content similarity blended with bought-together and "
        "popularity; then popular products. The product itself is left out.",
        parameters=LOOKUP_PARAMETERS,
        filters=True,
        responses={
            **LOOKUP_RESPONSES,
            **error_responses(ApiErrorCode.INVALID, ApiErrorCode.NOT_FOUND),
        },
    )
    def get(self, request, product_id: int):
        return super().get(request)

    def ranked(self, request, categories):
        product_id = self.kwargs["product_id"]
        # Asked of the database, so that a 404 does not depend on the store.
        if not ProductPage.objects.live().filter(pk=product_id).exists():
            raise NotFound(f"No product with id {product_id}.")
        return services.similar_ids(product_id)


class PopularProducts(CachedLookupView):
    @extend_schema(
        summary="The most popular products, overall or in a category",
        description="Decayed by age. With `category`, the category's own list.",
        parameters=LOOKUP_PARAMETERS,
        filters=True,
        responses=LOOKUP_RESPONSES,
    )
    def get(self, request):
        return super().get(request)

    def ranked(self, request, categories):
        # One category has its own list; a slug naming several narrows the
        # overall list (the filter keeps their products).
        category = categories[0].pk if len(categories) == 1 else None
        return services.popular_ids(category)


class ForMe(CachedLookupView):
    """Cached per shopper, under the generations of the shopper's history too
    (renewed by every interaction recorded: recommend.interactions)."""

    # One shopper's answer: no shared cache keeps it.
    cache_control = "private, no-cache"

    def cached_read_generations(self, request, **kwargs):
        try:
            shopper = shoppers.shopper(request, allow_query=True)
        except shoppers.BadSessionId:
            return None  # the view answers the 400
        return [
            readmodel.CATALOG,
            *interactions.history_generations(shopper.user_id, shopper.session_id),
        ]

    def cached_read_audience(self, request):
        shopper = shoppers.shopper(request, allow_query=True)
        return f"{shopper.user_id}:{shopper.session_id}"

    @extend_schema(
        summary="Recommended for the shopper making the request",
        description="From the shopper's history of views, cart adds, purchases "
        "and reviews. The shopper is the signed-in user (session or token), "
        f"plus an anonymous session id from the `{shoppers.HEADER}` header or "
        f"the `{shoppers.QUERY_PARAMETER}` parameter, else the storefront's "
        "session cookie. Purchased products are left out unless consumable. "
        "Without history: popular products.",
        parameters=[
            *LOOKUP_PARAMETERS,
            OpenApiParameter(
                shoppers.HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=f"An anonymous shopper's id: {shoppers.SESSION_ID_HELP}",
            ),
            OpenApiParameter(
                shoppers.QUERY_PARAMETER,
                OpenApiTypes.STR,
                description=f"As the {shoppers.HEADER} header.",
            ),
        ],
        filters=True,
        responses=LOOKUP_RESPONSES,
    )
    def get(self, request):
        return super().get(request)

    def ranked(self, request, categories):
        try:
            shopper = shoppers.shopper(request, allow_query=True)
        except shoppers.BadSessionId as error:
            raise ValidationError({shoppers.QUERY_PARAMETER: [str(error)]}) from error
        return services.for_shopper_ids(
            user_id=shopper.user_id, session_id=shopper.session_id
        )


class EventsThrottle(ScopedRateThrottle):
    """Per signed-in user, else per client address (a rotating session id does
    not buy more events). The rate is REST_FRAMEWORK's
    DEFAULT_THROTTLE_RATES["recommend-events"], read per request. A cache outage
    lets events through: the cache answers misses while Redis is down."""

    # The settings' cache, not the one DRF bound at import (tests swap it).
    cache = django_cache

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class Events(APIView):
    parser_classes = [JSONParser]
    throttle_classes = [EventsThrottle]
    throttle_scope = "recommend-events"

    @extend_schema(
        summary="Record shopper interactions (batched)",
        description=f"Up to {MAX_EVENTS} events, stored all or none. Signed-in "
        "users are identified by their session or token; anonymous shoppers "
        f"need a session id (per event, the `{shoppers.HEADER}` header, or the "
        "storefront's session cookie, which then needs the CSRF token). Errors "
        "name the event: `events[3].product`. Rate-limited per user or client "
        "address (429 `throttled`).",
        request=EventBatchSerializer,
        parameters=[
            OpenApiParameter(
                shoppers.HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The anonymous shopper's id for events without one.",
            )
        ],
        responses={
            201: EventsAcceptedSerializer,
            **error_responses(
                ApiErrorCode.INVALID,
                ApiErrorCode.PARSE_ERROR,
                ApiErrorCode.PERMISSION_DENIED,
                ApiErrorCode.THROTTLED,
            ),
        },
    )
    def post(self, request):
        batch = EventBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        try:
            shopper = shoppers.shopper(request)
        except shoppers.BadSessionId as error:
            raise ValidationError({shoppers.HEADER: [str(error)]}) from error
        events = batch.validated_data["events"]
        missing = {
            f"events[{index}].session_id": ["Required for anonymous shoppers."]
            for index, event in enumerate(events)
            if shopper.user_id is None
            and not event.get("session_id")
            and not shopper.session_id
        }
        if missing:
            raise ValidationError(missing)
        if shopper.from_cookie and any(not e.get("session_id") for e in events):
            SessionAuthentication().enforce_csrf(request)
        now = timezone.now()
        try:
            recorded = interactions.record(
                [
                    interactions.Event(
                        product_id=event["product"],
                        kind=event["kind"],
                        at=min(event.get("at", now), now),
                        user_id=shopper.user_id,
                        session_id=event.get("session_id", shopper.session_id),
                    )
                    for event in events
                ]
            )
        except interactions.UnknownProducts as error:
            raise ValidationError(
                {
                    f"events[{index}].product": ["No live product with this id."]
                    for index in error.indexes
                }
            ) from error
        return Response({"recorded": len(recorded)}, status=status.HTTP_201_CREATED)
