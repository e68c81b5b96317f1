"""Checkout API: thin views over shop.checkout.services; service errors reach
the client through the API's exception handler (shop.api.errors).

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

from shop.api.errors import BODY_ERRORS, ApiErrorCode, error_responses
from shop.cart import identity
from shop.cart.services import CartErrorCode
from shop.cart.views import CART_HEADER
from shop.checkout import serializers, services
from shop.checkout.models import Checkout
from shop.checkout.services import CheckoutError, CheckoutErrorCode
from shop.discounts.services import VoucherErrorCode
from shop.orders.serializers import OrderSerializer
from shop.plugins.builtin import dummy_payment
from shop.stock.services import StockErrorCode

IDEMPOTENCY_HEADER = "Idempotency-Key"
NOT_FOUND = (ApiErrorCode.NOT_FOUND,)
EDIT_ERRORS = (*NOT_FOUND, CheckoutErrorCode.CHECKOUT_COMPLETED)
VOUCHER_ERRORS = tuple(VoucherErrorCode)
TEST_CARDS = "\n".join(
    [
        f"- `{dummy_payment.SUCCESS_CARD}`: authorized",
        *(
            f"- `{card}`: declined (`{reason}`)"
            for card, reason in dummy_payment.FAILING_CARDS.items()
        ),
        "- anything else: declined (`invalid_card`)",
    ]
)


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
        description="The cart is the signed-in user's, else the one named by the "
        f"`{identity.HEADER}` header (or the session). A signed-in shopper's "
        "email is filled in.",
        parameters=[CART_HEADER],
        request=None,
        responses={
            201: serializers.CheckoutSerializer,
            **error_responses(
                CheckoutErrorCode.CART_EMPTY, CartErrorCode.CART_NOT_FOUND
            ),
        },
    )
    def post(self, request):
        cart = identity.find_cart(request)
        if cart is None:
            raise CheckoutError("cart_empty", "There is no cart to check out.")
        checkout = services.create_checkout(cart, request.user)
        return show(checkout, status.HTTP_201_CREATED)


class CheckoutDetail(APIView):
    @extend_schema(
        summary="A checkout with its lines and totals",
        description="Totals are computed now, at the variants' current prices.",
        parameters=[CART_HEADER],
        responses={
            200: serializers.CheckoutSerializer,
            **error_responses(*NOT_FOUND),
        },
    )
    def get(self, request, token):
        return show(get_checkout(request, token))

    @extend_schema(
        summary="Set the email and addresses",
        description="Send any of them; a new shipping address drops a shipping "
        "method it no longer gets.",
        parameters=[CART_HEADER],
        request=serializers.CheckoutUpdateSerializer,
        responses={
            200: serializers.CheckoutSerializer,
            **error_responses(*BODY_ERRORS, *EDIT_ERRORS),
        },
    )
    def patch(self, request, token):
        checkout = get_checkout(request, token)
        serializer = serializers.CheckoutUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.update_checkout(checkout, **serializer.validated_data)
        return show(checkout)


class ShippingMethods(APIView):
    @extend_schema(
        summary="Shipping methods offered for the checkout",
        description="They depend on the shipping address and the lines; none "
        "before the shipping address is set.",
        parameters=[CART_HEADER],
        responses={
            200: serializers.ShippingMethodSerializer(many=True),
            **error_responses(*NOT_FOUND),
        },
    )
    def get(self, request, token):
        state = services.load(get_checkout(request, token))
        methods = [
            {"id": m.id, "name": m.name, "price": m.price}
            for m in services.shipping_methods(state)
        ]
        return Response(serializers.ShippingMethodSerializer(methods, many=True).data)

    @extend_schema(
        summary="Choose a shipping method",
        description="One of the ids offered by the GET.",
        parameters=[CART_HEADER],
        request=serializers.ShippingMethodChoiceSerializer,
        responses={
            200: serializers.CheckoutSerializer,
            **error_responses(
                *BODY_ERRORS,
                *EDIT_ERRORS,
                CheckoutErrorCode.SHIPPING_ADDRESS_REQUIRED,
                CheckoutErrorCode.INVALID_SHIPPING_METHOD,
            ),
        },
    )
    def put(self, request, token):
        checkout = get_checkout(request, token)
        serializer = serializers.ShippingMethodChoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_shipping_method(
            checkout, serializer.validated_data["shipping_method_id"]
        )
        return show(checkout)


class Voucher(APIView):
    @extend_schema(
        summary="Apply a voucher code",
        description="The discount shows in `totals.discount`. A voucher that "
        "stops applying later (used up, expired) shows its code in "
        "`totals.voucher_error` and stops completion.",
        parameters=[CART_HEADER],
        request=serializers.VoucherCodeSerializer,
        responses={
            200: serializers.CheckoutSerializer,
            **error_responses(*BODY_ERRORS, *EDIT_ERRORS, *VOUCHER_ERRORS),
        },
    )
    def put(self, request, token):
        checkout = get_checkout(request, token)
        serializer = serializers.VoucherCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.apply_voucher(checkout, serializer.validated_data["code"])
        return show(checkout)

    @extend_schema(
        summary="Remove the voucher",
        description="Removing when there is none is no error.",
        parameters=[CART_HEADER],
        responses={
            200: serializers.CheckoutSerializer,
            **error_responses(*EDIT_ERRORS),
        },
    )
    def delete(self, request, token):
        checkout = get_checkout(request, token)
        services.remove_voucher(checkout)
        return show(checkout)


class PaymentGateways(APIView):
    @extend_schema(
        summary="Payment gateways offered for the checkout",
        description="Those taking the checkout's currency; `config` holds what "
        "the gateway's client needs (public keys, bank details).",
        parameters=[CART_HEADER],
        responses={
            200: serializers.PaymentGatewaySerializer(many=True),
            **error_responses(*NOT_FOUND),
        },
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
        description="Allocates the stock, places the order and asks the gateway "
        "to authorize the payment. Send the same `Idempotency-Key` again (after "
        "a timeout, say) to get the same order back: a checkout is never "
        "ordered twice. A declined payment cancels the order and releases its "
        "stock and voucher; fix the payment and complete again with a new key."
        "\n\nThe dummy gateway (`dummy-payment`, for development and tests) "
        "takes a test card number as `payment_token`:\n\n" + TEST_CARDS,
        parameters=[
            CART_HEADER,
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="A unique value per purchase attempt, e.g. a UUID.",
            ),
        ],
        request=serializers.CompleteSerializer,
        responses={
            201: OrderSerializer,
            200: OpenApiResponse(OrderSerializer, description="Placed before."),
            **error_responses(
                *BODY_ERRORS,
                *EDIT_ERRORS,
                CheckoutErrorCode.IDEMPOTENCY_KEY_REQUIRED,
                CheckoutErrorCode.CART_EMPTY,
                CheckoutErrorCode.EMAIL_REQUIRED,
                CheckoutErrorCode.SHIPPING_ADDRESS_REQUIRED,
                CheckoutErrorCode.BILLING_ADDRESS_REQUIRED,
                CheckoutErrorCode.SHIPPING_METHOD_REQUIRED,
                CheckoutErrorCode.INVALID_GATEWAY,
                CheckoutErrorCode.VARIANT_UNAVAILABLE,
                StockErrorCode.INSUFFICIENT_STOCK,
                CheckoutErrorCode.PAYMENT_DECLINED,
                *VOUCHER_ERRORS,
            ),
        },
    )
    def post(self, request, token):
        checkout = get_checkout(request, token)
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key or len(key) > 255:
            raise CheckoutError(
                "idempotency_key_required",
                f"Send an {IDEMPOTENCY_HEADER} header (1 to 255 characters).",
                IDEMPOTENCY_HEADER,
            )
        serializer = serializers.CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        completion = services.complete_checkout(
            checkout,
            key,
            serializer.validated_data["gateway"],
            serializer.validated_data["payment_token"],
        )
        if completion.declined:
            raise CheckoutError(
                "payment_declined",
                "The payment was declined; nothing was ordered.",
                detail={"reason": completion.error, "order": completion.order.pk},
            )
        return Response(
            OrderSerializer(completion.order).data,
            status=status.HTTP_201_CREATED
            if completion.created
            else status.HTTP_200_OK,
        )
