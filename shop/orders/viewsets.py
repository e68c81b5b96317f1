"""Orders in the Wagtail admin: list with status filter, inspect with lines,
addresses, payments and history, and the staff actions (capture, fulfil per
line, refund, cancel, mark paid) as buttons on the order, each a small form
calling shop.orders.services. Orders are never edited, added or deleted here.
A dashboard panel shows today's orders and sales and the low-stock variants.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permission_policies import ModelPermissionPolicy

from shop.core.errors import ServiceError
from shop.core.money import AMOUNT
from shop.orders import services
from shop.orders.filters import HidesFailedAttempts
from shop.orders.models import Order, OrderStatus
from shop.payments.models import PaymentStatus
from shop.stock.models import Stock

MANAGE = "orders.manage_orders"


class OrderPolicy(ModelPermissionPolicy):
    """Orders are written by the shop only: staff read them and act on them
    through the actions below, never through a raw edit form."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


class OrderFilterSet(HidesFailedAttempts, WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = Order
        fields = ["status"]


class OrderInspectView(generic.InspectView):
    template_name = "orders/admin/order_inspect.html"
    action_url_names: dict[str, str] = {}

    def available_actions(self) -> list[tuple[str, str, str]]:
        order, user = self.object, self.request.user
        if not user.has_perm(MANAGE):
            return []
        payments = list(order.payments.all())
        actions = []
        if order.status not in services.UNCHARGEABLE and any(
            p.status in services.CAPTURABLE for p in payments
        ):
            actions.append(("capture", "Capture payment", "tick"))
        # Nothing ships before money is captured (see services.fulfil_order).
        if order.status in services.FULFILLABLE and any(
            p.captured_amount > 0 for p in payments
        ):
            actions.append(("fulfil", "Fulfil", "doc-full"))
        if any(p.refundable_amount > 0 for p in payments):
            actions.append(("refund", "Refund", "undo"))
        if order.status in services.CANCELLABLE:
            actions.append(("cancel", "Cancel order", "cross"))
        if any(p.status == PaymentStatus.PENDING for p in payments):
            actions.append(("mark_paid", "Mark as paid", "tick"))
        return actions

    @cached_property
    def header_buttons(self):
        # Visible buttons, not Wagtail's "more" menu: they are the page's point.
        return [
            Button(
                label,
                url=reverse(self.action_url_names[name], args=(self.object.pk,)),
                icon_name=icon,
                classname="button-secondary",
                priority=priority,
            )
            for priority, (name, label, icon) in enumerate(self.available_actions())
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.object
        context["lines"] = order.lines.all()
        context["payments"] = order.payments.all()
        context["fulfillments"] = order.fulfillments.all()
        context["events"] = order.events.select_related("user")
        context["addresses"] = [
            ("Shipping address", order.shipping_address),
            ("Billing address", order.billing_address),
        ]
        return context


class OrderActionView(WagtailAdminTemplateMixin, FormView):
    """Shows the action's form on GET; on POST runs it through the service and
    goes back to the order. Subclasses set the form and ``perform``."""

    template_name = "orders/admin/order_action.html"
    header_icon = "order"
    inspect_url_name = None
    form_class = forms.Form
    submit_label = "Confirm"

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.has_perm(MANAGE):
            raise PermissionDenied
        self.object = get_object_or_404(Order, pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.object)

    def get_inspect_url(self):
        return reverse(self.inspect_url_name, args=(self.object.pk,))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            inspect_url=self.get_inspect_url(),
            submit_label=self.submit_label,
        )
        return context

    def form_valid(self, form):
        try:
            message = self.perform(self.object, self.request.user, form.cleaned_data)
        except ServiceError as error:  # of the order or of its payment
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.get_inspect_url())

    def perform(self, order, user, data) -> str:
        raise NotImplementedError


class FulfilForm(forms.Form):
    """A quantity to ship per line not fully shipped (preset to all of it)."""

    tracking_number = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.quantity_unfulfilled]
        for line in self.lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=f"{line.product_name} {line.variant_name} ({line.sku})",
                min_value=0,
                max_value=line.quantity_unfulfilled,
                initial=line.quantity_unfulfilled,
                help_text=f"{line.quantity_unfulfilled} of {line.quantity} not "
                "shipped yet.",
            )

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"line_{line.pk}"] for line in self.lines}


class FulfilView(OrderActionView):
    page_title = "Fulfil"
    form_class = FulfilForm
    submit_label = "Ship"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "lines": self.object.lines.all()}

    def form_valid(self, form):
        self.quantities = form.quantities()
        return super().form_valid(form)

    def perform(self, order, user, data):
        services.fulfil_order(order, user, data["tracking_number"], self.quantities)
        return f"{order}: shipment recorded."


def amount_field(help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        **AMOUNT,
        min_value=Decimal("0.01"),
        required=False,
        help_text=help_text,
    )


class CaptureForm(forms.Form):
    amount = amount_field("Leave empty to capture everything still authorized.")


class CaptureView(OrderActionView):
    page_title = "Capture the payment"
    form_class = CaptureForm
    submit_label = "Capture"

    def perform(self, order, user, data):
        payment = services.capture_order(order, user, data["amount"])
        return f"Captured; {payment.captured_amount} {payment.currency} in all."


class RefundForm(forms.Form):
    amount = amount_field("Leave empty to refund everything still refundable.")
    restock = forms.BooleanField(
        required=False,
        label="Put the shipped items back in stock",
        help_text="Tick when the goods came back and can be sold again.",
    )
    note = forms.CharField(max_length=1000, required=False)


class RefundView(OrderActionView):
    page_title = "Refund"
    form_class = RefundForm
    submit_label = "Refund"

    def perform(self, order, user, data):
        payment = services.refund_order(
            order, user, data["amount"], data["note"], data["restock"]
        )
        return f"Refunded; {payment.refunded_amount} {payment.currency} in all."


class NoteForm(forms.Form):
    note = forms.CharField(max_length=1000, required=False)


class CancelView(OrderActionView):
    page_title = "Cancel the order"
    form_class = NoteForm
    submit_label = "Cancel the order"

    def perform(self, order, user, data):
        services.cancel_order(order, user, data["note"])
        return f"{order} cancelled; its stock is released."


class MarkPaidView(OrderActionView):
    page_title = "Mark as paid"
    submit_label = "The payment arrived"

    def perform(self, order, user, data):
        services.mark_order_paid(order, user)
        return f"{order} marked as paid."


WRITE_VIEWS = {"add", "edit", "delete"}
ACTIONS = {
    "capture": CaptureView,
    "fulfil": FulfilView,
    "refund": RefundView,
    "cancel": CancelView,
    "mark_paid": MarkPaidView,
}


class OrderViewSet(ModelViewSet):
    model = Order
    name = "orders"
    icon = "order"
    menu_label = "Orders"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["__str__", "email", "status", "total_gross", "created_at"]
    filterset_class = OrderFilterSet
    search_fields = ["email", "idempotency_key"]
    list_per_page = 50
    inspect_view_enabled = True
    inspect_view_class = OrderInspectView
    # Addresses, lines and payments have their own sections in the template.
    inspect_view_fields = [
        "status",
        "email",
        "user",
        "created_at",
        "shipping_method_name",
        "voucher_code",
        "subtotal_gross",
        "shipping_gross",
        "discount_amount",
        "total_net",
        "total_gross",
        "currency",
    ]
    # Never edited (see OrderPolicy), but Wagtail builds the form class.
    form_fields = []
    copy_view_enabled = False

    def get_queryset(self, request):
        return Order.objects.select_related("user")

    def get_common_view_kwargs(self, **kwargs):
        # No add, edit or delete views: nothing links to them.
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None, **kwargs
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            action_url_names={name: self.get_url_name(name) for name in ACTIONS},
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *(
                pattern
                for pattern in super().get_urlpatterns()
                if pattern.name not in WRITE_VIEWS
            ),
            *(
                path(
                    f"{name.replace('_', '-')}/<int:pk>/",
                    self.construct_view(
                        view_class, inspect_url_name=self.get_url_name("inspect")
                    ),
                    name=name,
                )
                for name, view_class in ACTIONS.items()
            ),
        ]


LOW_STOCK = 5
LOW_STOCK_SHOWN = 10


class ShopTodayPanel(Component):
    """Today's orders and sales (placed orders only: no failed attempts, no
    cancellations in the sales) and the variants running out."""

    name = "shop_today"
    order = 50
    template_name = "orders/admin/dashboard_panel.html"

    def get_context_data(self, parent_context=None):
        today = Order.objects.filter(created_at__date=timezone.localdate()).exclude(
            status=OrderStatus.FAILED
        )
        sales = (
            today.exclude(status=OrderStatus.CANCELLED)
            .values("currency")
            .annotate(total=Sum("total_gross"), count=Count("id"))
            .order_by("currency")
        )
        low_stock = (
            Stock.objects.annotate(available=F("quantity") - F("quantity_allocated"))
            .filter(available__lte=LOW_STOCK)
            .select_related("variant__product")
            .order_by("available", "variant__sku")[:LOW_STOCK_SHOWN]
        )
        return {
            "orders_today": today.count(),
            "sales": list(sales),
            "low_stock": low_stock,
            "low_stock_threshold": LOW_STOCK,
            "orders_url": reverse("orders:index"),
        }
