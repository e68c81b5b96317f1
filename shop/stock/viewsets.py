"""Stock admin: the units on hand of each variant, in the "Catalog" menu.

Quantities change through ``shop.stock.services.set_quantity`` only, which locks
the row, refuses to go below what orders hold and announces a variant running
out or coming back; the form only parses the number.
"""

import django_filters
from django.db.models import F
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from cms.models import Variant
from cms.viewsets import CATALOG_MENU_HOOK
from shop.stock import services
from shop.stock.models import Stock

LOW_STOCK_THRESHOLD = 5


class StockAvailability:
    OUT = "out"
    LOW = "low"
    CHOICES = [(OUT, "Out of stock"), (LOW, f"Low stock (≤ {LOW_STOCK_THRESHOLD})")]


class StockFilterSet(WagtailFilterSet):
    availability = django_filters.ChoiceFilter(
        label="Availability", choices=StockAvailability.CHOICES, method="by_available"
    )

    class Meta:
        model = Stock
        fields = []

    def by_available(self, queryset, name, value):
        available = F("quantity") - F("quantity_allocated")
        queryset = queryset.alias(available=available)
        if value == StockAvailability.OUT:
            return queryset.filter(available__lte=0)
        return queryset.filter(available__gt=0, available__lte=LOW_STOCK_THRESHOLD)


class StockForm(WagtailAdminModelForm):
    class Meta:
        model = Stock
        fields = ["quantity"]


class StockCreateForm(StockForm):
    class Meta(StockForm.Meta):
        fields = ["variant", "quantity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].queryset = Variant.objects.filter(stock__isnull=True)


class SetQuantityMixin:
    """Saves through the stock service; its refusal becomes the form's error."""

    log_action: str

    def save_instance(self):
        stock = services.set_quantity(
            self.form.instance.variant_id, self.form.cleaned_data["quantity"]
        )
        log(instance=stock, action=self.log_action, user=self.request.user)
        return stock

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.QuantityBelowAllocated as error:
            form.add_error("quantity", str(error))
            # What the view's is_valid() sets for a form that fails validation.
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class StockCreateView(SetQuantityMixin, generic.CreateView):
    log_action = "wagtail.create"


class StockEditView(SetQuantityMixin, generic.EditView):
    log_action = "wagtail.edit"


class StockViewSet(ModelViewSet):
    model = Stock
    name = "catalog_stock"
    icon = "box"
    menu_label = "Stock"
    menu_hook = CATALOG_MENU_HOOK
    # Right after Variants (the first item of the Catalog group).
    menu_order = 1
    add_view_class = StockCreateView
    edit_view_class = StockEditView
    list_display = [
        "variant__sku",
        "variant__product__title",
        "quantity",
        "quantity_allocated",
        "quantity_available",
    ]
    search_fields = ["variant__sku", "variant__product__title"]
    filterset_class = StockFilterSet
    ordering = ["variant__sku"]
    list_per_page = 50
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return StockForm if for_update else StockCreateForm

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Stock.objects.select_related("variant__product"), **kwargs
        )
