"""The catalog as Wagtail pages, plus the plain models attached to it.

Category pages form the tree, product pages live under them; variants, images,
reviews and collections are plain models so that the shop can lock and query
them without going through page revisions.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import ContentStreamBlock
from shop.api.validators import reject_bidi_controls
from shop.core.money import money_field


class Gender(models.TextChoices):
    MEN = "men", "Men"
    WOMEN = "women", "Women"
    UNISEX = "unisex", "Unisex"


class HomePage(Page):
    """The root of a site's storefront, built from merchandising blocks."""

    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.CategoryPage", "cms.LandingPage"]


class LandingPage(Page):
    """A campaign or editorial page made of the same blocks as the home page."""

    body = StreamField(ContentStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.LandingPage"]
    subpage_types = ["cms.LandingPage"]


class CategoryPage(Page):
    intro = RichTextField(blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("image")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage", "cms.CategoryPage"]
    subpage_types = ["cms.CategoryPage", "cms.ProductPage"]

    products_per_page = 24

    def get_context(self, request, *args, **kwargs):
        from cms.listing import cards, product_listing

        context = super().get_context(request, *args, **kwargs)
        context["subcategories"] = CategoryPage.objects.live().child_of(self)
        listing = product_listing(
            request.GET,
            cards().descendant_of(self),
            per_page=self.products_per_page,
            default_ordering="popularity",
        )
        context["listing"] = listing
        context["products"] = listing.products
        return context


class ProductTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.ProductPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ProductPage(Page):
    description = RichTextField(blank=True)
    brand = models.CharField(max_length=100, blank=True, db_index=True)
    gender = models.CharField(
        max_length=10, choices=Gender.choices, default=Gender.UNISEX, db_index=True
    )
    material = models.CharField(max_length=100, blank=True, db_index=True)
    tags = ClusterTaggableManager(through=ProductTag, blank=True)
    # Kept by cms.services.reviews on every review change, so reads never recount.
    rating_average = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("0.00"), db_index=True
    )
    rating_count = models.PositiveIntegerField(default=0)
    # Decayed interaction score, refreshed from interaction events.
    popularity = models.FloatField(default=0.0, db_index=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("brand"),
                FieldPanel("gender"),
                FieldPanel("material"),
                FieldPanel("tags"),
            ],
            heading="Attributes",
        ),
        InlinePanel("images", label="Images (the first one is the main image)"),
        InlinePanel("variants", label="Variants", min_num=1),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.SearchField("brand", boost=2),
        index.SearchField("material"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("gender"),
        index.FilterField("brand"),
        index.FilterField("material"),
    ]
    parent_page_types = ["cms.CategoryPage"]
    subpage_types = []

    reviews_per_page = 10
    # Far past any real product's reviews; keeps the offset a small number.
    max_reviews_page = 10_000

    def with_content_json(self, content):
        # Services keep these, not editors: publishing an older revision must not
        # bring back the values that were current when it was saved.
        page = super().with_content_json(content)
        page.rating_average = self.rating_average
        page.rating_count = self.rating_count
        page.popularity = self.popularity
        return page

    def reviews_page(self, raw_number) -> dict:
        """One page of approved reviews, newest first, with the numbers of the
        pages around it (None at either end); one query, no count."""
        try:
            number = min(max(int(raw_number), 1), self.max_reviews_page)
        except (TypeError, ValueError):
            number = 1
        size = self.reviews_per_page
        start = (number - 1) * size
        window = list(
            self.reviews.filter(status=ReviewStatus.APPROVED).select_related("user")[
                start : start + size + 1
            ]
        )
        return {
            "reviews": window[:size],
            "reviews_page": number,
            "newer_reviews_page": number - 1 if number > 1 else None,
            "older_reviews_page": number + 1 if len(window) > size else None,
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Child relations, not plain querysets, so that previews show unsaved edits.
        variants = list(self.variants.filter(is_active=True).select_related("stock"))
        context["images"] = self.images.select_related("image").prefetch_related(
            "image__renditions"
        )
        context["variants"] = variants
        context["cheapest"] = min(variants, key=lambda v: v.price, default=None)
        # The purchase form's preselected variant: the first one in stock.
        context["chosen_variant"] = next(
            (variant for variant in variants if _in_stock(variant)), None
        )
        context["tags"] = self.tags.all()
        context.update(self.reviews_page(request.GET.get("reviews_page")))
        return context

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_average__gte=0) & Q(rating_average__lte=5),
                name="product_rating_average_range",
            )
        ]


def _in_stock(variant) -> bool:
    stock = getattr(variant, "stock", None)
    return stock is not None and stock.quantity_available > 0


class ProductImage(Orderable):
    """A product's gallery; the first image in order is the main image."""

    product = ParentalKey(ProductPage, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+"
    )
    alt_text = models.CharField(max_length=255, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt_text")]


class Variant(models.Model):
    """A purchasable SKU of a product page."""

    product = ParentalKey(
        ProductPage, on_delete=models.CASCADE, related_name="variants"
    )
    sku = models.CharField("SKU", max_length=64, unique=True)
    size = models.CharField(max_length=20, blank=True, db_index=True)
    color = models.CharField(max_length=40, blank=True, db_index=True)
    price = money_field()
    compare_at_price = money_field(
        null=True,
        blank=True,
        help_text="The original price, shown struck through when above the price.",
    )
    currency = models.CharField(max_length=3, default=settings.DEFAULT_CURRENCY)
    weight_kg = models.DecimalField(
        "weight (kg)", max_digits=8, decimal_places=3, default=Decimal("0.000")
    )
    is_active = models.BooleanField(default=True, db_index=True)

    panels = [
        FieldPanel("sku"),
        FieldPanel("size"),
        FieldPanel("color"),
        FieldPanel("price"),
        FieldPanel("compare_at_price"),
        FieldPanel("currency"),
        FieldPanel("weight_kg"),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["product_id", "id"]
        indexes = [
            # Serves "products with an active variant" (every catalog list and
            # its count) and "the cheapest active variant" (price and its
            # ordering) from the index alone: 100 ms -> 40 ms for a page of a
            # price-ordered list on 10k products.
            models.Index(
                fields=["product", "price", "id"],
                condition=Q(is_active=True),
                name="variant_active_price_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="variant_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gte=0),
                name="variant_compare_at_price_not_negative",
            ),
        ]

    def __str__(self):
        details = " / ".join(part for part in (self.size, self.color) if part)
        return f"{self.sku} {details}".strip()


# About two pages of text; the product page shows reviews whole.
REVIEW_BODY_MAX_LENGTH = 5000


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Review(models.Model):
    product = models.ForeignKey(
        ProductPage, on_delete=models.CASCADE, related_name="reviews"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    title = models.CharField(
        max_length=200, blank=True, validators=[reject_bidi_controls]
    )
    body = models.TextField(
        max_length=REVIEW_BODY_MAX_LENGTH,
        blank=True,
        validators=[reject_bidi_controls],
    )
    status = models.CharField(
        max_length=10,
        choices=ReviewStatus.choices,
        default=ReviewStatus.APPROVED,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "user"], name="one_review_per_user_and_product"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5),
                name="review_rating_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.rating}/5 on {self.product_id} by {self.user_id}"


class ProductCollection(index.Indexed, ClusterableModel):
    """A hand-curated, ordered set of products (e.g. "Summer essentials")."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = RichTextField(blank=True)
    is_published = models.BooleanField(default=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("is_published"),
        InlinePanel("items", label="Products"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProductCollectionItem(Orderable):
    collection = ParentalKey(
        ProductCollection, on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(ProductPage, on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("product")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "product"], name="collection_product_once"
            )
        ]
