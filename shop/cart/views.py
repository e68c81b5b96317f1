"""Cart API: thin views over shop.cart.services; see shop.cart.identity for
which cart a request means."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.api.errors import ClientError, ErrorSerializer
from shop.cart import identity, services
from shop.cart.serializers import (
    AddLineSerializer,
    CartSerializer,
    SetQuantitySerializer,
)

STATUS = {
    "variant_not_found": 400,
    "quantity_out_of_range": 400,
    "variant_unavailable": 409,
    "insufficient_stock": 409,
    "currency_mismatch": 409,
    "line_not_found": 404,
    "cart_not_found": 404,
}
CART_HEADER = OpenApiParameter(
    identity.HEADER,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="The anonymous cart's token (headless clients; ignored when "
    "signed in).",
)
ERRORS = {
    code: OpenApiResponse(ErrorSerializer, description=description)
    for code, description in (
        (400, "Malformed input, unknown variant or quantity out of range."),
        (403, "CSRF check failed (session carts)."),
        (404, "No such cart or line."),
        (409, "Variant unavailable, insufficient stock or other currency."),
    )
}


def _refusal(error: services.CartError) -> ClientError:
    field = "quantity" if error.code == "quantity_out_of_range" else None
    return ClientError(error.code, error.message, STATUS[error.code], field)


class CartView(APIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            identity.enforce_csrf_for_session_cart(request)

    def cart(self, request, create=False):
        try:
            if create:
                return identity.get_or_create_cart(request)
            return identity.find_cart(request)
        except identity.CartNotFound as exc:
            raise NotFound("No such cart; forget the token.", "cart_not_found") from exc

    def show(self, cart, status_code=status.HTTP_200_OK):
        lines = services.cart_lines_for_checkout(cart) if cart else []
        return Response(
            CartSerializer(CartSerializer.build(cart, lines)).data, status_code
        )


class CartDetail(CartView):
    @extend_schema(
        summary="The current cart",
        parameters=[CART_HEADER],
        responses={200: CartSerializer, 404: ERRORS[404]},
    )
    def get(self, request):
        return self.show(self.cart(request))

    @extend_schema(
        summary="Start an anonymous cart (headless clients) and get its token",
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
        parameters=[CART_HEADER],
        responses={204: None, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def delete(self, request):
        cart = self.cart(request)
        if cart:
            services.clear(cart)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartLines(CartView):
    @extend_schema(
        summary="Add units of a variant (to its line when there is one)",
        parameters=[CART_HEADER],
        request=AddLineSerializer,
        responses={201: CartSerializer, **ERRORS},
    )
    def post(self, request):
        serializer = AddLineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = self.cart(request, create=True)
        try:
            services.add_line(cart, **serializer.validated_data)
        except services.CartError as error:
            raise _refusal(error) from error
        return self.show(cart, status.HTTP_201_CREATED)


class CartLineDetail(CartView):
    @extend_schema(
        summary="Change a line's quantity (0 removes it)",
        parameters=[CART_HEADER],
        request=SetQuantitySerializer,
        responses={200: CartSerializer, **ERRORS},
    )
    def patch(self, request, line_id):
        serializer = SetQuantitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = self._cart_with_line(request)
        try:
            services.set_quantity(cart, line_id, serializer.validated_data["quantity"])
        except services.CartError as error:
            raise _refusal(error) from error
        return self.show(cart)

    @extend_schema(
        summary="Remove a line",
        parameters=[CART_HEADER],
        responses={204: None, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def delete(self, request, line_id):
        try:
            services.remove_line(self._cart_with_line(request), line_id)
        except services.CartError as error:
            raise _refusal(error) from error
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _cart_with_line(self, request):
        cart = self.cart(request)
        if cart is None:
            raise NotFound("No such line in this cart.", "line_not_found")
        return cart
