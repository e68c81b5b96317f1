"""Orders in the Wagtail admin: list with status filter, inspect with lines,
payments and history, and the staff actions (fulfil, refund, cancel, mark
paid), each a small form calling shop.orders.services."""

from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permission_policies import ModelPermissionPolicy

from shop.orders import services
from shop.orders.models import Order, OrderStatus
from shop.payments.models import PaymentStatus

MANAGE = "orders.manage_orders"


class OrderPolicy(ModelPermissionPolicy):
    """Orders are written by the shop only: staff read them and act on them
    through the actions below, never through a raw edit form."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


class OrderFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = Order
        fields = ["status"]


class OrderInspectView(generic.InspectView):
    template_name = "orders/admin/order_inspect.html"
    action_url_names: dict[str, str] = {}
    fields = [
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

    def available_actions(self) -> list[tuple[str, str, str]]:
        order, user = self.object, self.request.user
        if not user.has_perm(MANAGE):
            return []
        payments = list(order.payments.all())
        actions = []
        if order.status in services.FULFILLABLE:
            actions.append(("fulfil", "Fulfil", "doc-full"))
        if any(p.refundable_amount > 0 for p in payments):
            actions.append(("refund", "Refund", "undo"))
        if order.status in services.CANCELLABLE:
            actions.append(("cancel", "Cancel order", "cross"))
        if any(p.status == PaymentStatus.PENDING for p in payments):
            actions.append(("mark_paid", "Mark as paid", "tick"))
        return actions

    @cached_property
    def header_more_buttons(self):
        return [
            Button(
                label,
                url=reverse(self.action_url_names[name], args=(self.object.pk,)),
                icon_name=icon,
            )
            for name, label, icon in self.available_actions()
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
        except services.OrderError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.get_inspect_url())

    def perform(self, order, user, data) -> str:
        raise NotImplementedError


class FulfilForm(forms.Form):
    tracking_number = forms.CharField(max_length=255, required=False)


class FulfilView(OrderActionView):
    page_title = "Fulfil the order"
    form_class = FulfilForm
    submit_label = "Ship everything not shipped yet"

    def perform(self, order, user, data):
        services.fulfil_order(order, user, data["tracking_number"])
        return f"{order} shipped."


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="Leave empty to refund everything still refundable.",
    )
    note = forms.CharField(max_length=1000, required=False)


class RefundView(OrderActionView):
    page_title = "Refund"
    form_class = RefundForm
    submit_label = "Refund"

    def perform(self, order, user, data):
        payment = services.refund_order(order, user, data["amount"], data["note"])
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


ACTIONS = {
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
    # Never edited (see OrderPolicy), but Wagtail builds the form class.
    form_fields = []
    copy_view_enabled = False

    def get_queryset(self, request):
        return Order.objects.select_related("user")

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            action_url_names={name: self.get_url_name(name) for name in ACTIONS},
            **kwargs,
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
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
