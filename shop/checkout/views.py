"""Checkout API: thin views over shop.checkout.services.

A signed-in shopper's checkout is theirs alone (another user gets a 404); an
anonymous checkout is reached by its token, a random UUID only its cart's
holder was given.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.api.errors import ClientError, ErrorSerializer
from shop.cart import identity
from shop.checkout import serializers, services
from shop.checkout.models import Checkout
from shop.orders.serializers import OrderSerializer

IDEMPOTENCY_HEADER = "Idempotency-Key"
ERRORS = {
    code: OpenApiResponse(ErrorSerializer, description=description)
    for code, description in (
        (400, "Malformed or missing input, or a checkout not ready to complete."),
        (402, "The payment was declined (code payment_declined); nothing is kept."),
        (404, "No such checkout (or another shopper's)."),
        (
            409,
            "Stock short (insufficient_stock, with the variants), voucher no "
            "longer valid, or the checkout already completed.",
        ),
    )
}


def refusal(error: services.CheckoutError) -> Response:
    body = {"code": error.code, "message": error.message, **error.detail}
    return Response({"error": body}, status=error.status)


def get_checkout(request, token) -> Checkout:
    checkout = Checkout.objects.select_related("cart").filter(token=token).first()
    user_id = request.user.pk if request.user.is_authenticated else None
    if checkout is None or checkout.user_id not in (None, user_id):
        raise NotFound("No such checkout.")
    return checkout


def show(checkout: Checkout, status_code=status.HTTP_200_OK) -> Response:
    state = services.load(checkout)
    data = serializers.CheckoutSerializer.build(state, services.compute_totals(state))
    return Response(serializers.CheckoutSerializer(data).data, status=status_code)


class CheckoutList(APIView):
    @extend_schema(
        summary="Start a checkout from the current cart",
        request=None,
        responses={201: serializers.CheckoutSerializer, 400: ERRORS[400]},
    )
    def post(self, request):
        try:
            cart = identity.find_cart(request)
        except identity.CartNotFound:
            cart = None
        if cart is None:
            raise ClientError("cart_empty", "There is no cart to check out.")
        try:
            checkout = services.create_checkout(cart, request.user)
        except services.CheckoutError as error:
            return refusal(error)
        return show(checkout, status.HTTP_201_CREATED)


class CheckoutDetail(APIView):
    @extend_schema(
        summary="A checkout with its lines and totals",
        responses={200: serializers.CheckoutSerializer, 404: ERRORS[404]},
    )
    def get(self, request, token):
        return show(get_checkout(request, token))

    @extend_schema(
        summary="Set the email and addresses",
        request=serializers.CheckoutUpdateSerializer,
        responses={
            200: serializers.CheckoutSerializer,
            400: ERRORS[400],
            404: ERRORS[404],
            409: ERRORS[409],
        },
    )
    def patch(self, request, token):
        checkout = get_checkout(request, token)
        serializer = serializers.CheckoutUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.update_checkout(checkout, **serializer.validated_data)
        except services.CheckoutError as error:
            return refusal(error)
        return show(checkout)


class ShippingMethods(APIView):
    @extend_schema(
        summary="Shipping methods offered for the checkout",
        responses={200: serializers.ShippingMethodSerializer(many=True)},
    )
    def get(self, request, token):
        state = services.load(get_checkout(request, token))
        methods = [
            {"id": m.id, "name": m.name, "price": serializers.money(m.price)}
            for m in services.shipping_methods(state)
        ]
        return Response(serializers.ShippingMethodSerializer(methods, many=True).data)

    @extend_schema(
        summary="Choose a shipping method",
        request=serializers.ShippingMethodChoiceSerializer,
        responses={
            200: serializers.CheckoutSerializer,
            400: ERRORS[400],
            404: ERRORS[404],
        },
    )
    def put(self, request, token):
        checkout = get_checkout(request, token)
        serializer = serializers.ShippingMethodChoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.set_shipping_method(
                checkout, serializer.validated_data["shipping_method_id"]
            )
        except services.CheckoutError as error:
            return refusal(error)
        return show(checkout)


class Voucher(APIView):
    @extend_schema(
        summary="Apply a voucher code",
        request=serializers.VoucherCodeSerializer,
        responses={
            200: serializers.CheckoutSerializer,
            400: ERRORS[400],
            404: ERRORS[404],
        },
    )
    def put(self, request, token):
        checkout = get_checkout(request, token)
        serializer = serializers.VoucherCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.apply_voucher(checkout, serializer.validated_data["code"])
        except services.CheckoutError as error:
            return refusal(error)
        return show(checkout)

    @extend_schema(
        summary="Remove the voucher",
        responses={200: serializers.CheckoutSerializer, 404: ERRORS[404]},
    )
    def delete(self, request, token):
        checkout = get_checkout(request, token)
        try:
            services.remove_voucher(checkout)
        except services.CheckoutError as error:
            return refusal(error)
        return show(checkout)


class PaymentGateways(APIView):
    @extend_schema(
        summary="Payment gateways offered for the checkout",
        responses={200: serializers.PaymentGatewaySerializer(many=True)},
    )
    def get(self, request, token):
        state = services.load(get_checkout(request, token))
        gateways = [
            {"id": g.id, "name": g.name, "currencies": g.currencies, "config": g.config}
            for g in services.payment_gateways(state)
        ]
        return Response(serializers.PaymentGatewaySerializer(gateways, many=True).data)


class Complete(APIView):
    @extend_schema(
        summary="Place the order and pay",
        description="Send the same Idempotency-Key again (after a timeout, say) "
        "to get the same order back: a checkout is never ordered twice.",
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="A unique value per purchase attempt, e.g. a UUID.",
            )
        ],
        request=serializers.CompleteSerializer,
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(OrderSerializer, description="Placed before."),
            **{code: ERRORS[code] for code in (400, 402, 404, 409)},
        },
    )
    def post(self, request, token):
        checkout = get_checkout(request, token)
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key or len(key) > 255:
            raise ClientError(
                "idempotency_key_required",
                f"Send an {IDEMPOTENCY_HEADER} header (1 to 255 characters).",
            )
        serializer = serializers.CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            completion = services.complete_checkout(
                checkout,
                key,
                serializer.validated_data["gateway"],
                serializer.validated_data["payment_token"],
            )
        except services.CheckoutError as error:
            return refusal(error)
        if completion.declined:
            return refusal(
                services.CheckoutError(
                    "payment_declined",
                    "The payment was declined; nothing was ordered.",
                    status.HTTP_402_PAYMENT_REQUIRED,
                    reason=completion.error,
                    order=completion.order.pk,
                )
            )
        return Response(
            OrderSerializer(completion.order).data,
            status=status.HTTP_201_CREATED
            if completion.created
            else status.HTTP_200_OK,
        )
