"""REST interface of the recommender: three lookups and the events endpoint.

Lookups answer {"fallback", "version", "results"} with the product summaries in
them, so a headless client needs one call. Each costs one store round trip and a
fixed number of database queries whatever `limit` (see the tests).
"""

import logging

import redis
from django.core.cache import cache as django_cache
from django.utils import timezone
from django_redis.exceptions import ConnectionInterrupted
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from wagtail.models import Site
from wagtail.models.sites import SiteRootPath

from cms.models import ProductPage
from recommend import interactions, services, shoppers
from recommend.serializers import (
    MAX_EVENTS,
    EventBatchSerializer,
    EventsAcceptedSerializer,
    LookupParameters,
    RecommendationsSerializer,
    flatten,
)
from shop.api.errors import ErrorSerializer
from shop.api.parsers import JSONParser

logger = logging.getLogger(__name__)

# What the Django cache raises when its Redis is unreachable.
CACHE_ERRORS = (ConnectionInterrupted, redis.RedisError, OSError)


def site_root_paths() -> list[SiteRootPath]:
    """Wagtail's cached site root paths; read from the database when the cache
    (the same Redis as the store, in production) is down, so that a lookup still
    answers."""
    try:
        return Site.get_site_root_paths()
    except CACHE_ERRORS as error:
        logger.warning("Cache unreachable; site root paths from the DB: %s", error)
    sites = Site.objects.select_related("root_page").order_by(
        "-root_page__url_path", "-is_default_site", "hostname"
    )
    return [
        SiteRootPath(site.pk, site.root_page.url_path, site.root_url, "")
        for site in sites
    ]


def page_url(url_path: str, root_paths) -> str | None:
    """The page's full URL, from Wagtail's cached site root paths."""
    for root in root_paths:
        if url_path.startswith(root.root_path):
            return root.root_url + url_path[len(root.root_path) - 1 :]
    return None


LOOKUP_RESPONSES = {
    200: RecommendationsSerializer,
    400: OpenApiResponse(ErrorSerializer, description="A bad parameter."),
}
LOOKUP_PARAMETERS = [LookupParameters]


class LookupView(APIView):
    """Ranked ids from the store, then their summaries from the database."""

    def ranked(self, request, parameters: LookupParameters) -> services.Ranked:
        raise NotImplementedError

    def get(self, request, **kwargs):
        parameters = LookupParameters(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        ranked = self.ranked(request, parameters)
        products = services.product_summaries(
            ranked,
            limit=parameters.validated_data["limit"],
            filters=parameters.filters(),
        )
        root_paths = site_root_paths()
        for product in products:
            product["url"] = page_url(product.pop("url_path"), root_paths)
        body = {
            "fallback": ranked.fallback,
            "version": ranked.version,
            "results": products,
        }
        return Response(RecommendationsSerializer(body).data)


class SimilarProducts(LookupView):
    @extend_schema(
        summary='Products like this one ("you may also like")',
        description="Content similarity blended with bought-together and "
        "popularity; then popular products. The product itself is left out.",
        parameters=LOOKUP_PARAMETERS,
        responses={
            **LOOKUP_RESPONSES,
            404: OpenApiResponse(ErrorSerializer, description="No such live product."),
        },
    )
    def get(self, request, product_id: int):
        return super().get(request)

    def ranked(self, request, parameters):
        product_id = self.kwargs["product_id"]
        # Asked of the database, so that a 404 does not depend on the store.
        if not ProductPage.objects.live().filter(pk=product_id).exists():
            raise NotFound(f"No product with id {product_id}.")
        return services.similar_ids(product_id)


class PopularProducts(LookupView):
    @extend_schema(
        summary="The most popular products, overall or in a category",
        description="Decayed by age. With `category`, the category's own list.",
        parameters=LOOKUP_PARAMETERS,
        responses=LOOKUP_RESPONSES,
    )
    def get(self, request):
        return super().get(request)

    def ranked(self, request, parameters):
        return services.popular_ids(parameters.validated_data.get("category"))


class ForMe(LookupView):
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
        responses=LOOKUP_RESPONSES,
    )
    def get(self, request):
        return super().get(request)

    def ranked(self, request, parameters):
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
    lets events through rather than failing them."""

    # The settings' cache, not the one DRF bound at import (tests swap it).
    cache = django_cache

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        # Events are worth more than the limit while the cache is down.
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            logger.warning("Cache unreachable; events not throttled: %s", error)
            return True


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
            400: OpenApiResponse(ErrorSerializer, description="Invalid events."),
            429: OpenApiResponse(ErrorSerializer, description="Too many requests."),
        },
    )
    def post(self, request):
        batch = EventBatchSerializer(data=request.data)
        if not batch.is_valid():
            raise ValidationError(flatten(batch.errors))
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
