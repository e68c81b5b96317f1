"""Catalog admin: variants, reviews and collections under one "Catalog" menu,
which other apps join through CATALOG_MENU_HOOK (shop.stock adds Stock).

Built on Wagtail's own viewsets (ModelViewSet, SnippetViewSet) rather than
wagtail-modeladmin: modeladmin is a frozen extraction of Wagtail's old admin code,
while the viewsets are what Wagtail itself is built on in version 8, get search,
django-filter filters, CSV/XLSX export and bulk actions, and keep pace with
Wagtail upgrades.
"""

import django_filters
from django.shortcuts import get_list_or_404
from django.urls import reverse
from django.utils.functional import classproperty
from django.utils.http import urlencode
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.models import ProductCollection, Review, ReviewStatus, Variant
from cms.services.reviews import set_review_status
from shop.stock.models import Stock

# Viewsets of other apps set this as their menu_hook to appear in the group.
CATALOG_MENU_HOOK = "register_catalog_menu_item"


class VariantFilterSet(WagtailFilterSet):
    currency = django_filters.AllValuesFilter()
    color = django_filters.AllValuesFilter()
    size = django_filters.AllValuesFilter()

    class Meta:
        model = Variant
        fields = ["is_active", "color", "size", "currency"]


class VariantCreateView(generic.CreateView):
    def save_instance(self):
        variant = super().save_instance()
        # Every variant has exactly one stock row; new ones start empty.
        Stock.objects.get_or_create(variant=variant)
        return variant


class VariantViewSet(ModelViewSet):
    model = Variant
    name = "catalog_variants"
    icon = "tag"
    menu_label = "Variants"
    add_view_class = VariantCreateView
    list_display = [
        "sku",
        "product__title",
        "size",
        "color",
        "price",
        "currency",
        "is_active",
        Column("available", label="Available", accessor="stock.quantity_available"),
    ]
    search_fields = ["sku", "product__title"]
    filterset_class = VariantFilterSet
    ordering = ["sku"]
    list_per_page = 50
    copy_view_enabled = False
    panels = [FieldPanel("product"), *Variant.panels]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Variant.objects.select_related("product", "stock"), **kwargs
        )


class ModerationOnlyPolicy(ModelPermissionPolicy):
    """Reviews are written by shoppers and change through moderation only.

    Adding or deleting one in the admin would leave the product's rating average
    stale, so those actions are off for everyone.
    """

    def user_has_permission(self, user, action):
        if action in {"add", "delete"}:
            return False
        return super().user_has_permission(user, action)


class ReviewIndexView(SnippetIndexView):
    """Adds per-row Approve / Reject, which open the bulk moderation for one review."""

    moderation_actions = [
        ("approve", "Approve", ReviewStatus.APPROVED, "check"),
        ("reject", "Reject", ReviewStatus.REJECTED, "cross"),
    ]

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        query = urlencode({"id": instance.pk, "next": self.request.get_full_path()})
        for action, label, status, icon in self.moderation_actions:
            if instance.status != status:
                url = reverse("wagtail_bulk_action", args=("cms", "review", action))
                buttons.append(
                    MenuItem(label, url=f"{url}?{query}", icon_name=icon, priority=5)
                )
        return buttons


class ReviewViewSet(SnippetViewSet):
    model = Review
    icon = "openquote"
    menu_label = "Reviews"
    index_view_class = ReviewIndexView
    list_display = [
        "product__title",
        "user__email",
        "rating",
        "status",
        "created_at",
    ]
    list_filter = ["status", "rating"]
    search_fields = ["title", "body", "product__title"]
    ordering = ["-created_at", "-id"]
    list_per_page = 50
    copy_view_enabled = False
    # Moderators may tidy the text; rating and status change only through the
    # moderation actions, which keep the product's rating exact.
    panels = [FieldPanel("title"), FieldPanel("body")]

    def get_queryset(self, request):
        return Review.objects.select_related("product", "user")


class ProductCollectionViewSet(SnippetViewSet):
    model = ProductCollection
    icon = "list-ul"
    menu_label = "Collections"
    list_display = ["name", "slug", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["name"]


class CatalogViewSetGroup(SnippetViewSetGroup):
    menu_label = "Catalog"
    menu_icon = "folder-open-inverse"
    menu_order = 200
    submenu_hook = CATALOG_MENU_HOOK
    items = (
        VariantViewSet,
        ReviewViewSet,
        ProductCollectionViewSet,
    )


class ModerateReviewsBulkAction(SnippetBulkAction):
    """Sets the status of the selected reviews through the review service."""

    status = None
    template_name = "cms/admin/confirm_bulk_moderate.html"

    @classproperty
    def models(cls):
        return [Review]

    @classmethod
    def get_queryset(cls, model, object_ids):
        return get_list_or_404(
            Review.objects.select_related("product"), pk__in=object_ids
        )

    def check_perm(self, review):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", review
        )

    @classmethod
    def execute_action(cls, objects, **kwargs):
        for review in objects:
            set_review_status(review, cls.status)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"{num_parent_objects} review(s) {self.display_name.lower()}d."


class ApproveReviewsBulkAction(ModerateReviewsBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve selected reviews"
    status = ReviewStatus.APPROVED
    action_priority = 10


class RejectReviewsBulkAction(ModerateReviewsBulkAction):
    display_name = "Reject"
    action_type = "reject"
    aria_label = "Reject selected reviews"
    status = ReviewStatus.REJECTED
    action_priority = 20
