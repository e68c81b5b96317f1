"""Order API: shoppers see and cancel their own orders; staff with the
"Can fulfil, refund and cancel orders" permission act on any order."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shop.api.errors import BODY_ERRORS, SIGNED_IN, ApiErrorCode, error_responses
from shop.orders import serializers, services
from shop.orders.models import Order, OrderStatus
from shop.orders.services import OrderErrorCode
from shop.payments.services import PaymentErrorCode

OWN_ORDER = (*SIGNED_IN, ApiErrorCode.NOT_FOUND)
STAFF = (*OWN_ORDER, ApiErrorCode.PERMISSION_DENIED)


class CanManageOrders(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("orders.manage_orders")


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = Order
        fields = ["status"]


@extend_schema_view(
    list=extend_schema(
        summary="The shopper's orders, newest first",
        description="Filter with `status`.",
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
        # Staff actions reach any order (their permission is checked first).
        if self.action not in ("fulfil", "refund", "mark_paid"):
            orders = orders.filter(user=self.request.user)
        if self.action != "list":
            orders = orders.prefetch_related(
                "lines", "payments", "fulfillments", "events"
            )
        return orders

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
        summary="Staff: refund all or part of the captured payment",
        description="Needs the “Can fulfil, refund and cancel orders” permission. "
        "The gateway is asked; a refusal leaves the payment as it was.",
        request=serializers.RefundSerializer,
        responses={
            200: serializers.OrderSerializer,
            **error_responses(
                *BODY_ERRORS,
                *STAFF,
                OrderErrorCode.NOT_PAID,
                PaymentErrorCode.INVALID_REFUND_AMOUNT,
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
