"""Accounts API: sign-up and sign-in, profile, passwords, addresses.

Permissions: the account endpoints act on `request.user` only, staff included;
a shopper's addresses are looked up within their own (another id is a 404).
Staff manage other customers in the Wagtail admin, under Django's model
permissions; no API endpoint gives staff more.
"""

from django.contrib.auth import login, logout, update_session_auth_hash
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotAuthenticated, Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.accounts import serializers, services, throttles
from shop.accounts.models import User
from shop.accounts.services import AccountErrorCode
from shop.api.authentication import TokenAuthentication
from shop.api.errors import BODY_ERRORS, SIGNED_IN, ApiErrorCode, error_responses
from shop.cart import identity

# Sign-in and password attempts are rate-limited per client address.
ATTEMPT_ERRORS = (*BODY_ERRORS, ApiErrorCode.THROTTLED)


def _authenticate(request, email: str, password: str) -> User:
    try:
        return throttles.authenticate_within_limits(request, email, password)
    except throttles.SignInLocked:
        raise Throttled(detail=throttles.SIGN_IN_LOCKED_MESSAGE) from None


def _merge_cart(request, user, body_token) -> dict | None:
    report = identity.merge_into_user(request, user, body_token)
    return report.as_dict() if report else None


class RegisterView(APIView):
    throttle_classes = [throttles.AuthAttemptsThrottle]
    authentication_classes = []

    @extend_schema(
        summary="Create an account",
        description="The same answer whether or not the email has an account "
        "already; in that case nothing is created and its owner is emailed. "
        "Then sign in: `POST /auth/token/` (headless) or `POST /auth/session/` "
        "(browser).",
        request=serializers.RegisterSerializer,
        responses={
            201: serializers.RegisteredSerializer,
            **error_responses(*ATTEMPT_ERRORS, AccountErrorCode.INVALID_PASSWORD),
        },
    )
    def post(self, request):
        serializer = serializers.RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.register_user(**serializer.validated_data)
        data = serializer.validated_data
        registered = {
            "email": services.normalize_email(data["email"]),
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "detail": "Sign in with this email and password.",
        }
        return Response(
            serializers.RegisteredSerializer(registered).data,
            status=status.HTTP_201_CREATED,
        )


@method_decorator(ensure_csrf_cookie, name="get")
class SessionView(APIView):
    """Storefront sign-in: a session cookie, CSRF-checked like every session write."""

    throttle_classes = [throttles.AuthAttemptsThrottle]

    @extend_schema(
        summary="Who is signed in (also sets the CSRF cookie)",
        description="`user` is null for anonymous requests. Browsers call it "
        "first to get the `csrftoken` cookie, then send its value as the "
        "`X-CSRFToken` header on writes.",
        responses={
            200: serializers.SessionSerializer,
            **error_responses(ApiErrorCode.AUTHENTICATION_FAILED),
        },
    )
    def get(self, request):
        user = request.user if request.user.is_authenticated else None
        return Response(
            {"user": serializers.ProfileSerializer(user).data if user else None}
        )

    @extend_schema(
        summary="Sign in with a session; merges the anonymous cart",
        description="For browsers: sets the session cookie. Needs the CSRF "
        "token (see the GET). `cart_merge` tells what the anonymous cart "
        "brought into the user's cart.",
        request=serializers.LoginSerializer,
        responses={
            200: serializers.SessionSerializer,
            **error_responses(
                *ATTEMPT_ERRORS,
                AccountErrorCode.INVALID_CREDENTIALS,
                ApiErrorCode.PERMISSION_DENIED,
            ),
        },
    )
    def post(self, request):
        # DRF checks CSRF for signed-in session users only; a login form needs it too.
        SessionAuthentication().enforce_csrf(request)
        serializer = serializers.LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = _authenticate(request, data["email"], data["password"])
        # login() renews the session key but keeps its data: the cart token too.
        login(request, user)
        return Response(
            {
                "user": serializers.ProfileSerializer(user).data,
                "cart_merge": _merge_cart(request, user, data.get("cart_token")),
            }
        )

    @extend_schema(
        summary="Sign out",
        description="Ends the session; API tokens stay valid.",
        request=None,
        responses={204: None, **error_responses(ApiErrorCode.AUTHENTICATION_FAILED)},
    )
    def delete(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(APIView):
    """Headless sign-in: one API token per user, sent as `Authorization: Bearer …`
    (or `Token …`)."""

    throttle_classes = [throttles.AuthAttemptsThrottle]

    # Signing in needs no credentials; revoking needs the token itself.
    authentication_classes = [TokenAuthentication]

    @extend_schema(
        summary="Get an API token; merges the anonymous cart",
        description="Send the token as `Authorization: Bearer <token>` (or "
        "`Token <token>`). Every call answers the same token until it is "
        "revoked or the password changes. Send the anonymous cart's token as "
        "`cart_token` (or the `X-Cart-Token` header) to merge it into the "
        "user's cart; `cart_merge` tells what moved.",
        request=serializers.LoginSerializer,
        responses={
            200: serializers.TokenSerializer,
            **error_responses(*ATTEMPT_ERRORS, AccountErrorCode.INVALID_CREDENTIALS),
        },
    )
    def post(self, request):
        serializer = serializers.LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = _authenticate(request, data["email"], data["password"])
        token, _ = Token.objects.get_or_create(user=user)
        return Response(
            {
                "token": token.key,
                "user": serializers.ProfileSerializer(user).data,
                "cart_merge": _merge_cart(request, user, data.get("cart_token")),
            }
        )

    @extend_schema(
        summary="Revoke the API token (every headless client of the user)",
        description="Authenticated by the token itself.",
        responses={204: None, **error_responses(*SIGNED_IN)},
    )
    def delete(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(APIView):
    throttle_classes = [throttles.AuthAttemptsThrottle]
    authentication_classes = []

    @extend_schema(
        summary="Email a password reset link (the same answer for any email)",
        description="The link leads to the storefront's reset page with `uid` "
        "and `token`; post them to `/auth/password-reset/confirm/`.",
        request=serializers.PasswordResetSerializer,
        responses={
            202: OpenApiResponse(description="Sent if the account exists."),
            **error_responses(*ATTEMPT_ERRORS),
        },
    )
    def post(self, request):
        serializer = serializers.PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.request_password_reset(serializer.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    throttle_classes = [throttles.AuthAttemptsThrottle]
    authentication_classes = []

    @extend_schema(
        summary="Set a new password with the uid and token from the reset link",
        description="Revokes the user's API token; sign in again.",
        request=serializers.PasswordResetConfirmSerializer,
        responses={
            204: None,
            **error_responses(
                *ATTEMPT_ERRORS,
                AccountErrorCode.INVALID_TOKEN,
                AccountErrorCode.INVALID_PASSWORD,
            ),
        },
    )
    def post(self, request):
        serializer = serializers.PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.confirm_password_reset(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        summary="The signed-in user's profile",
        description="The email is the sign-in name and cannot be changed here.",
    ),
    patch=extend_schema(
        summary="Change the names", description="`first_name` and `last_name`."
    ),
)
class MeView(generics.RetrieveUpdateAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = serializers.ProfileSerializer
    http_method_names = ["get", "patch", "options", "head"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        services.update_profile(self.request.user, **serializer.validated_data)


class PasswordChangeView(APIView):
    throttle_classes = [throttles.AuthAttemptsThrottle]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Change the password (the current one is required)",
        description="Revokes the API token: a token client gets a new one in "
        "the answer; a session stays signed in.",
        request=serializers.PasswordChangeSerializer,
        responses={
            200: serializers.NewTokenSerializer,
            **error_responses(
                *ATTEMPT_ERRORS,
                *SIGNED_IN,
                AccountErrorCode.WRONG_PASSWORD,
                AccountErrorCode.INVALID_PASSWORD,
            ),
        },
    )
    def post(self, request):
        serializer = serializers.PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        services.change_password(user, **serializer.validated_data)
        # The session stays signed in; a token client gets a fresh token.
        token = None
        if isinstance(request.auth, Token):
            token = Token.objects.create(user=user).key
        else:
            update_session_auth_hash(request, user)
        return Response({"token": token})


ADDRESS_ERRORS = error_responses(
    *BODY_ERRORS, *SIGNED_IN, AccountErrorCode.TOO_MANY_ADDRESSES
)


@extend_schema_view(
    list=extend_schema(
        summary="The shopper's addresses",
        description="All of them (at most 30), unpaginated, defaults first.",
    ),
    create=extend_schema(
        summary="Add an address",
        description="`is_default_shipping` / `is_default_billing` make it the "
        "default, taking that role from any other address.",
        responses={201: serializers.AccountAddressSerializer, **ADDRESS_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One of the shopper's addresses",
        description="Another shopper's address id is a 404.",
    ),
    partial_update=extend_schema(
        summary="Change an address or make it a default",
        description="Send only what changes.",
    ),
    update=extend_schema(
        summary="Replace an address",
        description="Every field; those left out take their defaults.",
    ),
    destroy=extend_schema(
        summary="Delete an address",
        description="A default address leaves no default behind.",
    ),
)
class AddressViewSet(viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = serializers.AccountAddressSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_converter = "int"

    def get_queryset(self):
        return self.request.user.addresses.all()

    def perform_create(self, serializer):
        serializer.instance = self._save(serializer, None)

    def perform_update(self, serializer):
        serializer.instance = self._save(serializer, serializer.instance)

    def perform_destroy(self, instance):
        services.delete_address(self.request.user, instance)

    def _save(self, serializer, address):
        data = dict(serializer.validated_data)
        default_shipping = data.pop("is_default_shipping", None)
        default_billing = data.pop("is_default_billing", None)
        return services.save_address(
            self.request.user, data, address, default_shipping, default_billing
        )
