"""Order API: shoppers see and cancel their own orders; staff with the
"Can fulfil, refund and cancel orders" permission act on any order."""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from shop.api.errors import ClientError, ErrorSerializer
from shop.orders import serializers, services
from shop.orders.models import Order, OrderStatus

ERRORS = {
    code: OpenApiResponse(ErrorSerializer, description=description)
    for code, description in (
        (400, "Malformed input or an amount out of range."),
        (403, "Staff only."),
        (404, "No such order (or another shopper's)."),
        (409, "Not possible in the order's status."),
    )
}


class CanManageOrders(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("orders.manage_orders")


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)

    class Meta:
        model = Order
        fields = ["status"]


def refusal(error: services.OrderError) -> ClientError:
    status = 400 if error.code in ("invalid_quantity", "invalid_refund_amount") else 409
    return ClientError(error.code, error.message, status)


@extend_schema_view(
    list=extend_schema(summary="The shopper's orders, newest first"),
    retrieve=extend_schema(
        summary="One of the shopper's orders",
        responses={200: serializers.OrderSerializer, 404: ERRORS[404]},
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
            404: ERRORS[404],
            409: ERRORS[409],
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        note = serializers.NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        try:
            services.cancel_order(order, request.user, note.validated_data["note"])
        except services.OrderError as error:
            raise refusal(error) from None
        return self.detail_response(order)

    @extend_schema(
        summary="Staff: ship lines (default all) with a tracking number",
        request=serializers.FulfilSerializer,
        responses={
            200: serializers.OrderSerializer,
            **{c: ERRORS[c] for c in (400, 403, 404, 409)},
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
        try:
            services.fulfil_order(
                order, request.user, body.validated_data["tracking_number"], quantities
            )
        except services.OrderError as error:
            raise refusal(error) from None
        return self.detail_response(order)

    @extend_schema(
        summary="Staff: refund all or part of the captured payment",
        request=serializers.RefundSerializer,
        responses={
            200: serializers.OrderSerializer,
            **{c: ERRORS[c] for c in (400, 403, 404, 409)},
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanManageOrders])
    def refund(self, request, pk=None):
        order = self.get_object()
        body = serializers.RefundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.refund_order(
                order,
                request.user,
                body.validated_data.get("amount"),
                body.validated_data["note"],
            )
        except services.OrderError as error:
            raise refusal(error) from None
        return self.detail_response(order)

    @extend_schema(
        summary="Staff: a manual payment arrived",
        request=None,
        responses={
            200: serializers.OrderSerializer,
            **{c: ERRORS[c] for c in (403, 404, 409)},
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
        try:
            services.mark_order_paid(order, request.user)
        except services.OrderError as error:
            raise refusal(error) from None
        return self.detail_response(order)
