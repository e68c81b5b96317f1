"""Read shapes of the catalog API; querysets come from cms.selectors."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from wagtail.models import Site
from wagtail.rich_text import expand_db_html

from cms import selectors
from cms.models import (
    CategoryPage,
    ProductCollection,
    ProductImage,
    ProductPage,
    Review,
    Variant,
)
from shop.core.money import MoneyField

# None for a page outside every site's tree.
PAGE_URL = serializers.URLField(allow_null=True)


class RichTextField(serializers.CharField):
    """Wagtail rich text rendered to front-end HTML (links and embeds expanded)."""

    def to_representation(self, value):
        return expand_db_html(value)


def absolute(context, url: str) -> str:
    """Media URLs as absolute URLs when there is a request to build them from."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


def root_paths(context) -> list:
    """The site root paths, read once per response (kept in the context)."""
    if "root_paths" not in context:
        context["root_paths"] = Site.get_site_root_paths()
    return context["root_paths"]


class RenditionSerializer(serializers.Serializer):
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class RenditionsSerializer(serializers.Serializer):
    thumbnail = RenditionSerializer(help_text=selectors.IMAGE_RENDITIONS["thumbnail"])
    large = RenditionSerializer(help_text=selectors.IMAGE_RENDITIONS["large"])


class ImageSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="image_id")
    url = serializers.CharField(source="image.file.url")
    width = serializers.IntegerField(source="image.width")
    height = serializers.IntegerField(source="image.height")
    alt = serializers.CharField()
    renditions = RenditionsSerializer()

    class Meta:
        model = ProductImage
        fields = ["id", "url", "width", "height", "alt", "renditions"]

    def to_representation(self, instance):
        # Built by hand: DRF deep-copies every declared field of each nested
        # serializer instance, which dominated list responses. The fields above
        # still describe the shape for the schema.
        image = instance.image
        renditions = selectors.api_renditions(image)
        return {
            "id": instance.image_id,
            "url": absolute(self.context, image.file.url),
            "width": image.width,
            "height": image.height,
            "alt": instance.alt_text or image.default_alt_text,
            "renditions": {
                name: {
                    "url": absolute(self.context, r.url),
                    "width": r.width,
                    "height": r.height,
                }
                for name, r in renditions.items()
            },
        }


class RatingSerializer(serializers.Serializer):
    average = serializers.DecimalField(
        source="rating_average", max_digits=3, decimal_places=2
    )
    count = serializers.IntegerField(source="rating_count")


class ProductCardSerializer(serializers.ModelSerializer):
    """The one product card: every endpoint that lists products (catalog,
    collections, recommendations) answers these, from selectors.product_list()."""

    url = serializers.SerializerMethodField()
    price = MoneyField(
        currency_source="currency", help_text="The cheapest active variant's price."
    )
    compare_at_price = MoneyField(
        currency_source="currency",
        allow_null=True,
        help_text="That variant's original price (shown struck through), or null.",
    )
    in_stock = serializers.BooleanField(read_only=True)
    rating = RatingSerializer(source="*", read_only=True)
    main_image = serializers.SerializerMethodField()
    category = serializers.IntegerField(source="category_id", read_only=True)

    class Meta:
        model = ProductPage
        fields = [
            "id",
            "title",
            "slug",
            "url",
            "brand",
            "gender",
            "material",
            "price",
            "compare_at_price",
            "in_stock",
            "rating",
            "main_image",
            "category",
        ]

    @extend_schema_field(PAGE_URL)
    def get_url(self, obj):
        return selectors.page_url(obj.url_path, root_paths(self.context))

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_main_image(self, obj):
        images = obj.images.all()
        return ImageSerializer(images[0], context=self.context).data if images else None


class VariantSerializer(serializers.ModelSerializer):
    price = MoneyField(currency_source="currency")
    compare_at_price = MoneyField(currency_source="currency", allow_null=True)
    quantity_available = serializers.SerializerMethodField()
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Variant
        fields = [
            "id",
            "sku",
            "size",
            "color",
            "price",
            "compare_at_price",
            "weight_kg",
            "in_stock",
            "quantity_available",
        ]

    def get_quantity_available(self, obj) -> int:
        # A variant without a stock row has nothing to sell.
        stock = getattr(obj, "stock", None)
        return max(stock.quantity_available, 0) if stock else 0

    def get_in_stock(self, obj) -> bool:
        return self.get_quantity_available(obj) > 0


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CategoryPage
        fields = ["id", "title", "slug"]


class SeoSerializer(serializers.Serializer):
    seo_title = serializers.CharField()
    search_description = serializers.CharField()


class ProductDetailSerializer(ProductCardSerializer):
    description = RichTextField(read_only=True)
    tags = serializers.SerializerMethodField()
    variants = VariantSerializer(many=True, read_only=True)
    images = ImageSerializer(many=True, read_only=True)
    breadcrumbs = serializers.SerializerMethodField()
    seo = SeoSerializer(source="*", read_only=True)

    class Meta(ProductCardSerializer.Meta):
        fields = [
            *ProductCardSerializer.Meta.fields,
            "description",
            "tags",
            "variants",
            "images",
            "breadcrumbs",
            "seo",
        ]

    def get_tags(self, obj) -> list[str]:
        return sorted(tag.name for tag in obj.tags.all())

    @extend_schema_field(CategoryRefSerializer(many=True))
    def get_breadcrumbs(self, obj):
        return CategoryRefSerializer(selectors.category_path(obj), many=True).data


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(
        source="parent_id",
        read_only=True,
        allow_null=True,
        help_text="The parent category; null at the top of the catalog.",
    )
    depth = serializers.SerializerMethodField(
        help_text="1 for top-level categories (those right under a home page)."
    )
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CategoryPage
        fields = ["id", "title", "slug", "parent", "depth", "product_count"]

    def get_depth(self, obj) -> int:
        # The tree root and the sites' home pages sit at depths 1 and 2.
        return obj.depth - 2


class CategoryDetailSerializer(CategorySerializer):
    url = serializers.SerializerMethodField()
    intro = RichTextField(read_only=True)

    class Meta(CategorySerializer.Meta):
        fields = [*CategorySerializer.Meta.fields, "url", "intro"]

    @extend_schema_field(PAGE_URL)
    def get_url(self, obj):
        return obj.get_full_url(self.context.get("request"))


class CollectionSerializer(serializers.ModelSerializer):
    description = RichTextField(read_only=True)
    products = serializers.SerializerMethodField()

    class Meta:
        model = ProductCollection
        fields = ["id", "name", "slug", "description", "products"]

    @extend_schema_field(ProductCardSerializer(many=True))
    def get_products(self, obj):
        products = [item.product for item in obj.items.all()]
        return ProductCardSerializer(products, many=True, context=self.context).data


class ReviewSerializer(serializers.ModelSerializer):
    rating = serializers.IntegerField(
        min_value=1, max_value=5, help_text="1 (worst) to 5 (best)."
    )
    author = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "rating", "title", "body", "author", "status", "created_at"]
        extra_kwargs = {
            "title": {"help_text": "Optional headline."},
            "body": {"help_text": "Optional text."},
        }
        read_only_fields = ["status", "created_at"]

    def get_author(self, obj) -> str:
        # Never the email address: it is the user's sign-in name.
        return obj.user.first_name or "Anonymous"
