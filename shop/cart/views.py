"""Cart API: thin views over shop.cart.services; see shop.cart.identity for
which cart a request means. Service errors reach the client through the API's
exception handler (shop.api.errors)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.api.errors import BODY_ERRORS, ApiErrorCode, error_responses
from shop.cart import identity, services
from shop.cart.serializers import (
    AddLineSerializer,
    CartSerializer,
    SetQuantitySerializer,
)
from shop.cart.services import CartErrorCode

CART_HEADER = OpenApiParameter(
    identity.HEADER,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="The anonymous cart's token, from the `token` of any cart "
    "response (headless clients; ignored when signed in). Requests without it "
    "and without a session cookie have no cart yet.",
)
CSRF_NOTE = (
    " Requests carrying the session cookie (the storefront) need the CSRF "
    "token; cookie-less clients do not."
)
LINE_ERRORS = (
    CartErrorCode.VARIANT_NOT_FOUND,
    CartErrorCode.QUANTITY_OUT_OF_RANGE,
    CartErrorCode.VARIANT_UNAVAILABLE,
    CartErrorCode.INSUFFICIENT_STOCK,
    CartErrorCode.CART_NOT_FOUND,
)


class CartView(APIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            identity.enforce_csrf_for_session_cart(request)

    def cart(self, request, create=False):
        if create:
            return identity.get_or_create_cart(request)
        return identity.find_cart(request)

    def show(self, cart, status_code=status.HTTP_200_OK):
        lines = services.cart_lines_for_checkout(cart) if cart else []
        return Response(
            CartSerializer(CartSerializer.build(cart, lines)).data, status_code
        )


class CartDetail(CartView):
    @extend_schema(
        summary="The current cart",
        description="The signed-in user's cart, else the anonymous cart named by "
        f"the `{identity.HEADER}` header or the session. With none, an empty cart "
        "whose `token` is null.",
        parameters=[CART_HEADER],
        responses={
            200: CartSerializer,
            **error_responses(CartErrorCode.CART_NOT_FOUND),
        },
    )
    def get(self, request):
        return self.show(self.cart(request))

    @extend_schema(
        summary="Start a cart and get its token",
        description="Creates an anonymous cart (a signed-in user gets their own "
        "cart) and answers it; keep its `token` and send it as the "
        f"`{identity.HEADER}` header on later cart and checkout calls. "
        "Nothing else is needed: no cookie, no CSRF token.",
        request=None,
        responses={201: CartSerializer},
    )
    def post(self, request):
        if request.user.is_authenticated:
            cart = services.get_or_create_cart(user=request.user)
        else:
            cart = services.get_or_create_cart()
        return self.show(cart, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Empty the cart",
        description="Removes every line; the cart and its token stay." + CSRF_NOTE,
        parameters=[CART_HEADER],
        responses={
            204: None,
            **error_responses(
                ApiErrorCode.PERMISSION_DENIED, CartErrorCode.CART_NOT_FOUND
            ),
        },
    )
    def delete(self, request):
        cart = self.cart(request)
        if cart:
            services.clear(cart)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartLines(CartView):
    @extend_schema(
        summary="Add units of a variant",
        description="Adds to the variant's line when the cart has one, else makes "
        "a line; starts a cart when there is none (its token is in the answer)."
        + CSRF_NOTE,
        parameters=[CART_HEADER],
        request=AddLineSerializer,
        responses={
            201: CartSerializer,
            **error_responses(
                *BODY_ERRORS,
                *LINE_ERRORS,
                CartErrorCode.CURRENCY_MISMATCH,
                ApiErrorCode.PERMISSION_DENIED,
            ),
        },
    )
    def post(self, request):
        serializer = AddLineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = self.cart(request, create=True)
        services.add_line(cart, **serializer.validated_data)
        return self.show(cart, status.HTTP_201_CREATED)


class CartLineDetail(CartView):
    @extend_schema(
        summary="Change a line's quantity",
        description="0 removes the line. Lowering always works; raising must fit "
        "the stock." + CSRF_NOTE,
        parameters=[CART_HEADER],
        request=SetQuantitySerializer,
        responses={
            200: CartSerializer,
            **error_responses(
                *BODY_ERRORS,
                *LINE_ERRORS,
                CartErrorCode.LINE_NOT_FOUND,
                ApiErrorCode.PERMISSION_DENIED,
            ),
        },
    )
    def patch(self, request, line_id):
        serializer = SetQuantitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = self._cart_with_line(request)
        services.set_quantity(cart, line_id, serializer.validated_data["quantity"])
        return self.show(cart)

    @extend_schema(
        summary="Remove a line",
        description="The same as setting its quantity to 0." + CSRF_NOTE,
        parameters=[CART_HEADER],
        responses={
            204: None,
            **error_responses(
                ApiErrorCode.PERMISSION_DENIED,
                CartErrorCode.CART_NOT_FOUND,
                CartErrorCode.LINE_NOT_FOUND,
            ),
        },
    )
    def delete(self, request, line_id):
        services.remove_line(self._cart_with_line(request), line_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _cart_with_line(self, request):
        cart = self.cart(request)
        if cart is None:
            raise services.CartError("line_not_found", "No such line in this cart.")
        return cart
