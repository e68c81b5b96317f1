"""Vouchers admin on Wagtail's ModelViewSet: staff create and edit vouchers; the
count of uses is kept by the checkout and shown read-only."""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet

from shop.discounts.models import Voucher, VoucherScope


class VoucherForm(WagtailAdminModelForm):
    class Meta:
        model = Voucher
        fields = [
            "code",
            "name",
            "type",
            "value",
            "currency",
            "scope",
            "products",
            "categories",
            "min_order_value",
            "starts_at",
            "ends_at",
            "usage_limit",
            "usage_limit_per_customer",
            "is_active",
        ]
        widgets = {
            "products": forms.SelectMultiple(attrs={"size": 10}),
            "categories": forms.SelectMultiple(attrs={"size": 10}),
        }

    def clean_currency(self):
        currency = self.cleaned_data["currency"].upper()
        if not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
            raise forms.ValidationError("Enter a three-letter ISO 4217 code.")
        return currency

    def clean(self):
        cleaned = super().clean()
        chosen = bool(cleaned.get("products")) or bool(cleaned.get("categories"))
        if cleaned.get("scope") == VoucherScope.LINES and not chosen:
            self.add_error(
                "scope", "Choose the products or categories the voucher applies to."
            )
        elif cleaned.get("scope") != VoucherScope.LINES and chosen:
            self.add_error(
                "scope",
                "Products and categories are only used by a voucher on specific "
                "products or categories.",
            )
        return cleaned


class VoucherViewSet(ModelViewSet):
    model = Voucher
    name = "vouchers"
    icon = "tag"
    menu_label = "Vouchers"
    menu_order = 850
    add_to_admin_menu = True
    list_display = [
        "code",
        "name",
        "type",
        "value",
        "scope",
        "used_count",
        "usage_limit",
        "ends_at",
        "is_active",
    ]
    list_filter = ["is_active", "type", "scope"]
    search_fields = ["code", "name"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "code",
        "name",
        "type",
        "value",
        "currency",
        "scope",
        "products",
        "categories",
        "min_order_value",
        "starts_at",
        "ends_at",
        "usage_limit",
        "usage_limit_per_customer",
        "used_count",
        "is_active",
        "created",
        "updated",
    ]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return VoucherForm
