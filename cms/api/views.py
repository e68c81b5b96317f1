"""Catalog API views: thin, the queries live in cms.selectors."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status, viewsets
from rest_framework.exceptions import APIException

from cms import selectors
from cms.api import serializers
from cms.api.filters import ProductFilter
from cms.models import ProductPage
from cms.services import reviews
from shop.api.errors import ErrorSerializer


class AlreadyReviewed(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_reviewed"
    default_detail = "You have already reviewed this product."


@extend_schema_view(
    list=extend_schema(summary="Categories, flat, in tree order"),
    retrieve=extend_schema(summary="One category"),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.live_categories()
    filter_backends = []

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.CategoryDetailSerializer
        return serializers.CategorySerializer


@extend_schema_view(
    list=extend_schema(
        summary="Products: filter, search, sort, paginate",
        responses={
            200: serializers.ProductListSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="A bad parameter."),
            404: OpenApiResponse(ErrorSerializer, description="Page out of range."),
        },
    ),
    retrieve=extend_schema(summary="One product with variants and images"),
)
class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = ProductFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.product_detail()
        return selectors.product_list()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ProductDetailSerializer
        return serializers.ProductListSerializer

    def filter_queryset(self, queryset):
        # The list's query parameters mean nothing to a single product.
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(summary="Published collections with their products"),
    retrieve=extend_schema(summary="One published collection"),
)
class CollectionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.published_collections()
    serializer_class = serializers.CollectionSerializer
    filter_backends = []
    lookup_field = "slug"


@extend_schema_view(
    get=extend_schema(summary="Approved reviews of a product, newest first"),
    post=extend_schema(
        summary="Review a product (signed-in users, once per product)",
        description="The review is pending until approved when the shop "
        "moderates reviews; only approved reviews count in the rating.",
        responses={
            201: serializers.ReviewSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid input."),
            403: OpenApiResponse(ErrorSerializer, description="Not signed in."),
            409: OpenApiResponse(
                ErrorSerializer, description="Already reviewed (`already_reviewed`)."
            ),
        },
    ),
)
class ProductReviewList(generics.ListCreateAPIView):
    serializer_class = serializers.ReviewSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends = []

    def get_product(self) -> ProductPage:
        return get_object_or_404(
            ProductPage.objects.live().only("pk"), pk=self.kwargs["product_id"]
        )

    def get_queryset(self):
        return selectors.approved_reviews(self.get_product())

    def perform_create(self, serializer):
        try:
            serializer.instance = reviews.submit_review(
                self.request.user, self.get_product(), **serializer.validated_data
            )
        except reviews.AlreadyReviewed as exc:
            raise AlreadyReviewed from exc
