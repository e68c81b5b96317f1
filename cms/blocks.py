"""StreamField blocks merchandisers build home and landing pages from."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class LinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False)
    label = blocks.CharBlock(required=False, max_length=60)

    class Meta:
        icon = "link"

    def clean(self, value):
        value = super().clean(value)
        if value.get("page") and value.get("url"):
            raise StructBlockValidationError(
                block_errors={
                    "url": ErrorList(
                        [ValidationError("Choose a page or a URL, not both.")]
                    )
                }
            )
        return value


class HeroBannerBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    link = LinkBlock(required=False)

    class Meta:
        icon = "image"
        template = "cms/blocks/hero_banner.html"


class ProductSource:
    CATEGORY = "category"
    COLLECTION = "collection"
    HAND_PICKED = "hand_picked"
    CHOICES = [
        (CATEGORY, "Products of a category"),
        (COLLECTION, "Products of a collection"),
        (HAND_PICKED, "Hand-picked products"),
    ]


class ProductCarouselBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    source = blocks.ChoiceBlock(
        choices=ProductSource.CHOICES, default=ProductSource.CATEGORY
    )
    category = blocks.PageChooserBlock(page_type="cms.CategoryPage", required=False)
    collection = SnippetChooserBlock("cms.ProductCollection", required=False)
    products = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="cms.ProductPage"), required=False
    )
    limit = blocks.IntegerBlock(default=12, min_value=1, max_value=48)

    class Meta:
        icon = "list-ul"
        template = "cms/blocks/product_carousel.html"

    def clean(self, value):
        value = super().clean(value)
        source = value.get("source")
        required = {
            ProductSource.CATEGORY: ("category", value.get("category")),
            ProductSource.COLLECTION: ("collection", value.get("collection")),
            ProductSource.HAND_PICKED: ("products", list(value.get("products") or [])),
        }
        field, chosen = required[source]
        if not chosen:
            raise StructBlockValidationError(
                block_errors={
                    field: ErrorList([ValidationError("Required for this source.")])
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        from cms.selectors import carousel_products

        context = super().get_context(value, parent_context=parent_context)
        context["products"] = carousel_products(value)
        return context


class PromoTileBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    title = blocks.CharBlock(max_length=80)
    text = blocks.CharBlock(max_length=200, required=False)
    link = LinkBlock(required=False)


class PromoTilesBlock(blocks.StructBlock):
    tiles = blocks.ListBlock(PromoTileBlock(), min_num=1, max_num=6)

    class Meta:
        icon = "grip"
        template = "cms/blocks/promo_tiles.html"


class RecommendationSource:
    FOR_YOU = "for_you"
    POPULAR = "popular"
    SIMILAR = "similar"
    CHOICES = [
        (FOR_YOU, "Recommended for the shopper"),
        (POPULAR, "Popular (in a category, if chosen)"),
        (SIMILAR, "Similar to a product"),
    ]


class RecommendationsBlock(blocks.StructBlock):
    """Recommender lists; the category narrows "for you" and "similar" too.

    The products come from the `recommended_products` template tag of
    recommend, which the template loads: cms does not import the recommender."""

    title = blocks.CharBlock(max_length=120)
    source = blocks.ChoiceBlock(
        choices=RecommendationSource.CHOICES, default=RecommendationSource.FOR_YOU
    )
    category = blocks.PageChooserBlock(page_type="cms.CategoryPage", required=False)
    product = blocks.PageChooserBlock(page_type="cms.ProductPage", required=False)
    limit = blocks.IntegerBlock(default=8, min_value=1, max_value=24)

    class Meta:
        icon = "pick"
        template = "cms/blocks/recommendations.html"

    def clean(self, value):
        value = super().clean(value)
        if value.get("source") == RecommendationSource.SIMILAR and not value.get(
            "product"
        ):
            raise StructBlockValidationError(
                block_errors={
                    "product": ErrorList([ValidationError("Required for this source.")])
                }
            )
        return value


class ContentStreamBlock(blocks.StreamBlock):
    hero_banner = HeroBannerBlock()
    product_carousel = ProductCarouselBlock()
    promo_tiles = PromoTilesBlock()
    recommendations = RecommendationsBlock()
    rich_text = blocks.RichTextBlock(template="cms/blocks/rich_text.html")
