"""Order API: shoppers see and cancel their own orders; staff with the
"Can fulfil, refund and cancel orders" permission list, filter and act on any
order (staff who may only view orders list and read them).

Failed checkout attempts (declined payments) are kept but left out of the list
unless asked for with ``status=failed``."""

import django_filters
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shop.api.errors import BODY_ERRORS, SIGNED_IN, ApiErrorCode, error_responses
from shop.orders import serializers, services
from shop.orders.filters import HidesFailedAttempts
from shop.orders.models import Order, OrderStatus
from shop.orders.services import OrderErrorCode
from shop.payments.models import Payment, PaymentStatus
from shop.payments.services import PaymentErrorCode

MANAGE = "orders.manage_orders"
VIEW = "orders.view_order"

OWN_ORDER = (*SIGNED_IN, ApiErrorCode.NOT_FOUND)
STAFF = (*OWN_ORDER, ApiErrorCode.PERMISSION_DENIED)


class CanManageOrders(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_staff and request.user.has_perm(MANAGE)


class OrderFilter(HidesFailedAttempts, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=OrderStatus.choices,
        help_text="Without it, failed checkout attempts are left out.",
    )
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="Placed on or after"
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="Placed on or before"
    )
    email = django_filters.CharFilter(
        field_name="email", lookup_expr="iexact", label="Customer email"
    )
    payment_status = django_filters.ChoiceFilter(
        choices=PaymentStatus.choices,
        method="filter_payment_status",
        label="Status of one of the order's payments",
    )

    class Meta:
        model = Order
        fields = ["status", "created_after", "created_before", "email"]

    def filter_payment_status(self, queryset, name, value):
        # A subquery, so an order with two payments is listed once.
        return queryset.filter(
            Exists(Payment.objects.filter(order=OuterRef("pk"), status=value))
        )


@extend_schema_view(
    list=extend_schema(
        summary="The shopper's orders (staff: all orders), newest first",
        description="Filter with `status`; staff also with `created_after`, "
        "`created_before`, `email` and `payment_status`.",
        responses={
            200: serializers.OrderListSerializer(many=True),
            **error_responses(*SIGNED_IN, ApiErrorCode.INVALID),
        },
    ),
    retrieve=extend_schema(
        summary="One of the shopper's orders",
        description="With its lines, payments, shipments and history.",
        responses={
            200: serializers.OrderSerializer,
            **error_responses(*OWN_ORDER),
        },
    ),
)
class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = OrderFilter
    queryset = Order.objects.all()

    def get_queryset(self):
        orders = Order.objects.all()
        if getattr(self, "swagger_fake_view", False):
            return orders
        if not self.sees_all_orders():
            orders = orders.filter(user=self.request.user)
        if self.action != "list":
            orders = orders.prefetch_related(
                "lines", "payments", "fulfillments", "events"
            )
        return orders

    def sees_all_orders(self) -> bool:
        """Staff actions check their permission first; reading needs less.
        Shoppers are never staff: their requests skip the permission queries."""
        user = self.request.user
        if not user.is_staff:
            return False
        reads = self.action in ("list", "retrieve")
        return user.has_perm(MANAGE) or (reads and user.has_perm(VIEW))

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.OrderListSerializer
        return serializers.OrderSerializer

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def detail_response(self, order):
        order = self.get_queryset().get(pk=order.pk)
        return Response(serializers.OrderSerializer(order).data)

    @extend_schema(
        summary="Cancel an order not shipped yet",
        description="Stock is released; the payment is voided or refunded.",
        request=serializers.NoteSerializer,
        responses={
            200: serializers.OrderSerializer,
            **error_responses(*BODY_ERRORS, *OWN_ORDER, OrderErrorCode.NOT_CANCELLABLE),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        note = serializers.NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        services.cancel_order(order, request.user, note.validated_data["note"])
        return self.detail_response(order)

    @extend_schema(
        summary="Staff: ship lines (default all) with a tracking number",
        description="Needs the “Can fulfil, refund and cancel orders” permission. "
        "Ships the given quantities of the given lines, or everything not "
        "shipped yet.",
        request=serializers.FulfilSerializer,
        responses={
            200: serializers.OrderSerializer,
            **error_responses(
                *BODY_ERRORS,
                *STAFF,
                OrderErrorCode.NOT_FULFILLABLE,
                OrderErrorCode.INVALID_QUANTITY,
                OrderErrorCode.NOTHING_TO_FULFIL,
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanManageOrders])
    def fulfil(self, request, pk=None):
        order = self.get_object()
        body = serializers.FulfilSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lines = body.validated_data.get("lines")
        quantities = None
        if lines is not None:
            quantities = {}
            for line in lines:
                quantities[line["line_id"]] = (
                    quantities.get(line["line_id"], 0) + line["quantity"]
                )
        services.fulfil_order(
            order, request.user, body.validated_data["tracking_number"], quantities
        )
        return self.detail_response(order)

    @extend_schema(
        summary="Staff: capture all or part of the authorized payment",
        description="Never more than is still authorized; once all of it is "
        "captured the order is paid.",
        request=serializers.CaptureSerializer,
        responses={
            200: serializers.OrderSerializer,
            **error_responses(
                *BODY_ERRORS,
                *STAFF,
                OrderErrorCode.NOT_CAPTURABLE,
                PaymentErrorCode.INVALID_CAPTURE_AMOUNT,
                PaymentErrorCode.NOTHING_TO_CAPTURE,
                PaymentErrorCode.CAPTURE_FAILED,
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanManageOrders])
    def capture(self, request, pk=None):
        order = self.get_object()
        body = serializers.CaptureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.capture_order(order, request.user, body.validated_data.get("amount"))
        return self.detail_response(order)

    @extend_schema(
        summary="Staff: refund all or part of the captured payment",
        description="Needs the “Can fulfil, refund and cancel orders” permission. "
        "The gateway is asked; a refusal leaves the payment as it was. With "
        "``restock``, the shipped units are put back in stock.",
        request=serializers.RefundSerializer,
        responses={
            200: serializers.OrderSerializer,
            **error_responses(
                *BODY_ERRORS,
                *STAFF,
                OrderErrorCode.NOT_PAID,
                PaymentErrorCode.INVALID_REFUND_AMOUNT,
                PaymentErrorCode.NOTHING_TO_REFUND,
                PaymentErrorCode.REFUND_FAILED,
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanManageOrders])
    def refund(self, request, pk=None):
        order = self.get_object()
        body = serializers.RefundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.refund_order(
            order,
            request.user,
            body.validated_data.get("amount"),
            body.validated_data["note"],
            body.validated_data["restock"],
        )
        return self.detail_response(order)

    @extend_schema(
        summary="Staff: a manual payment arrived",
        description="Needs the “Can fulfil, refund and cancel orders” permission. "
        "Captures the order's pending (manual) payment.",
        request=None,
        responses={
            200: serializers.OrderSerializer,
            **error_responses(
                *STAFF,
                OrderErrorCode.NOT_PENDING,
                PaymentErrorCode.NOT_CAPTURABLE,
                PaymentErrorCode.CAPTURE_FAILED,
            ),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="mark-paid",
        permission_classes=[CanManageOrders],
    )
    def mark_paid(self, request, pk=None):
        order = self.get_object()
        services.mark_order_paid(order, request.user)
        return self.detail_response(order)
