"""Catalog API views: thin, the queries live in cms.selectors."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, viewsets

from cms import readmodel, selectors
from cms.api import serializers
from cms.api.caching import CachedReadMixin
from cms.api.filters import ProductFilter
from cms.models import ProductPage
from cms.services import reviews
from cms.services.reviews import ReviewErrorCode
from shop.api.errors import ApiErrorCode, error_responses


@extend_schema_view(
    list=extend_schema(
        summary="Categories, flat, in tree order",
        description="`parent` and `depth` rebuild the tree; `product_count` "
        "counts the products for sale anywhere below.",
    ),
    retrieve=extend_schema(
        summary="One category",
        description="With its storefront URL and intro; list its products with "
        "`GET /products/?category=<id>`.",
    ),
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
        description="Every parameter narrows the list; repeatable ones match any "
        "of their values. A page past the end is a 404.",
        responses={
            200: serializers.ProductCardSerializer(many=True),
            **error_responses(ApiErrorCode.INVALID, ApiErrorCode.NOT_FOUND),
        },
    ),
    retrieve=extend_schema(
        summary="One product with variants and images",
        description="The product card's fields plus the description, tags, "
        "active variants with their stock, every image and the breadcrumbs.",
    ),
)
class ProductViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = ProductFilter

    def cached_read_generations(self, request, pk=None):
        if pk is None:
            return [readmodel.CATALOG]
        # Ids longer than a bigint are no product's: a 404, not worth a key.
        if not pk.isdigit() or len(pk) > 18:
            return None
        return [readmodel.TREE, readmodel.product(int(pk))]

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.product_detail()
        return selectors.product_list()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ProductDetailSerializer
        return serializers.ProductCardSerializer

    def filter_queryset(self, queryset):
        # The list's query parameters mean nothing to a single product.
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(
        summary="Published collections with their products",
        description="Each collection's products as product cards, in the "
        "merchandisers' order; products not for sale are left out.",
    ),
    retrieve=extend_schema(
        summary="One published collection", description="By its slug."
    ),
)
class CollectionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.published_collections()
    serializer_class = serializers.CollectionSerializer
    filter_backends = []
    lookup_field = "slug"


@extend_schema_view(
    get=extend_schema(
        summary="Approved reviews of a product, newest first",
        description="Authors appear by first name only.",
    ),
    post=extend_schema(
        summary="Review a product (signed-in users, once per product)",
        description="The review is pending until approved when the shop "
        "moderates reviews; only approved reviews count in the rating.",
        responses={
            201: serializers.ReviewSerializer,
            **error_responses(
                ApiErrorCode.INVALID,
                ApiErrorCode.NOT_AUTHENTICATED,
                ReviewErrorCode.ALREADY_REVIEWED,
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
        serializer.instance = reviews.submit_review(
            self.request.user, self.get_product(), **serializer.validated_data
        )
