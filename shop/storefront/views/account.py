"""The shopper's account pages: sign-in, sign-up, sign-out, password reset,
addresses, order history and detail, cancelling an order.

They call the same services as the REST API (shop.accounts.services,
shop.orders.services) under the same limits: the per-address attempt
throttle on every sign-in, sign-up and password POST, and the failed sign-in
lockout per account and per address. Signing in brings the anonymous cart
along (shop.cart.identity.merge_into_user). Orders are found by number among
the signed-in shopper's own; another shopper's number is a 404.
"""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shop.accounts import services, throttles
from shop.accounts.services import AccountError
from shop.cart import identity
from shop.orders import services as order_services
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.storefront.account_forms import (
    AccountAddressForm,
    NewPasswordForm,
    PasswordResetForm,
    RegisterForm,
    SignInForm,
    add_service_error,
)

# Pages for the signed-in shopper; others are sent to sign in first.
signed_in = login_required(login_url="storefront:sign-in")
THROTTLED = "Too many attempts from your network. Wait a minute and try again."
ORDERS_PER_PAGE = 20
SESSION_RESET = "storefront_password_reset"
MERGE_REASONS = {
    "variant_unavailable": "no longer available",
    "insufficient_stock": "not enough in stock",
    "quantity_out_of_range": "the most one line can hold",
    "currency_mismatch": "sold in another currency",
}


def _allowed(request) -> bool:
    """The API's attempts throttle (per client address) on this POST."""
    return throttles.AuthAttemptsThrottle().allow_request(request, None)


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("storefront:account")


def _tell_merge(request, report) -> None:
    if report is None or not report.changed:
        return
    for line in report.lines:
        if line.outcome == "merged":
            continue
        reason = MERGE_REASONS.get(line.reason, line.reason)
        messages.warning(
            request,
            f"{line.sku}: {line.added} of {line.requested} moved into your cart "
            f"({reason}).",
        )


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        try:
            if not _allowed(request):
                raise throttles.SignInLocked
            user = throttles.authenticate_within_limits(request, email, password)
        except throttles.SignInLocked:
            form.add_error(None, throttles.SIGN_IN_LOCKED_MESSAGE)
        except AccountError:
            form.add_error(None, "That email and password do not match an account.")
        else:
            # login() renews the session key and keeps the anonymous cart token.
            login(request, user)
            _tell_merge(request, identity.merge_into_user(request, user))
            return redirect(_next_url(request))
    return render(
        request,
        "storefront/account/sign_in.html",
        {"form": form, "next": _next_url(request)},
    )


@never_cache
@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("storefront:sign-in")


@never_cache
@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("storefront:account")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not _allowed(request):
            form.add_error(None, THROTTLED)
        else:
            try:
                services.register_user(**form.cleaned_data)
            except AccountError as error:
                add_service_error(form, error)
            else:
                # The same answer whether the email had an account already
                # (its owner is emailed): sign-up never tells who is a customer.
                messages.success(
                    request,
                    "Thanks for signing up. Sign in with your email and password.",
                )
                return redirect("storefront:sign-in")
    return render(request, "storefront/account/register.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not _allowed(request):
            form.add_error(None, THROTTLED)
        else:
            services.request_password_reset(form.cleaned_data["email"])
            return render(
                request,
                "storefront/account/password_reset_sent.html",
                {"email": form.cleaned_data["email"]},
            )
    return render(request, "storefront/account/password_reset.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request):
    """The page the reset email links to. The uid and token move from the
    link's query string into the session at once, then the page is shown at
    its bare address: the token never reaches a Referer header or the
    browser's history beyond that first hop."""
    if "token" in request.GET:
        request.session[SESSION_RESET] = {
            "uid": request.GET.get("uid", "")[:64],
            "token": request.GET["token"][:128],
        }
        return redirect("storefront:password-reset-confirm")
    link = request.session.get(SESSION_RESET)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and link and form.is_valid():
        if not _allowed(request):
            form.add_error(None, THROTTLED)
        else:
            try:
                services.confirm_password_reset(
                    link["uid"], link["token"], form.cleaned_data["new_password"]
                )
            except AccountError as error:
                if error.code == "invalid_token":
                    link = None
                add_service_error(form, error)
            else:
                del request.session[SESSION_RESET]
                messages.success(
                    request, "Your password is changed. Sign in with it now."
                )
                return redirect("storefront:sign-in")
    return render(
        request,
        "storefront/account/password_reset_confirm.html",
        {"form": form, "link_valid": bool(link)},
    )


@never_cache
@signed_in
def overview(request):
    orders = Order.objects.filter(user=request.user).exclude(status=OrderStatus.FAILED)[
        :3
    ]
    return render(
        request,
        "storefront/account/overview.html",
        {"orders": orders, "section": "overview"},
    )


# Addresses ---------------------------------------------------------------


@never_cache
@signed_in
def addresses(request):
    return render(
        request,
        "storefront/account/addresses.html",
        {"addresses": request.user.addresses.all(), "section": "addresses"},
    )


@never_cache
@signed_in
@require_http_methods(["GET", "POST"])
def address_form(request, pk=None):
    user = request.user
    address = get_object_or_404(user.addresses, pk=pk) if pk else None
    initial = {
        "is_default_shipping": address is not None
        and user.default_shipping_address_id == address.pk,
        "is_default_billing": address is not None
        and user.default_billing_address_id == address.pk,
    }
    form = AccountAddressForm(request.POST or None, instance=address, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_address(
                user,
                form.address_data(),
                address,
                default_shipping=form.cleaned_data["is_default_shipping"],
                default_billing=form.cleaned_data["is_default_billing"],
            )
        except AccountError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Address saved.")
            return redirect("storefront:addresses")
    return render(
        request,
        "storefront/account/address_form.html",
        {"form": form, "address": address, "section": "addresses"},
    )


@never_cache
@signed_in
@require_POST
def address_delete(request, pk):
    address = get_object_or_404(request.user.addresses, pk=pk)
    services.delete_address(request.user, address)
    messages.success(request, "Address deleted.")
    return redirect("storefront:addresses")


# Orders ------------------------------------------------------------------


def _own_orders(request):
    # Failed checkout attempts (declined payments) were never orders.
    return Order.objects.filter(user=request.user).exclude(status=OrderStatus.FAILED)


@never_cache
@signed_in
def orders(request):
    page = Paginator(_own_orders(request), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "storefront/account/orders.html", {"page": page, "section": "orders"}
    )


def _own_order(request, number) -> Order:
    order = (
        _own_orders(request)
        .filter(pk=number)
        .prefetch_related("lines", "fulfillments", "events")
        .first()
    )
    if order is None:
        raise Http404("No such order.")
    return order


def _history_text(event) -> str:
    if event.type == OrderEventType.STATUS_CHANGED:
        return f"Status: {OrderStatus(event.data['status']).label}"
    if event.type == OrderEventType.FULFILLED and event.data.get("tracking_number"):
        return f"Shipped, tracking number {event.data['tracking_number']}"
    return event.get_type_display()


@never_cache
@signed_in
def order_detail(request, number):
    order = _own_order(request, number)
    history = [
        (event.created_at, _history_text(event))
        for event in order.events.all()
        # Notes are staff's.
        if event.type != OrderEventType.NOTE
    ]
    return render(
        request,
        "storefront/account/order_detail.html",
        {
            "order": order,
            "history": history,
            "cancellable": order.status in order_services.CANCELLABLE,
            "section": "orders",
        },
    )


@never_cache
@signed_in
@require_POST
def order_cancel(request, number):
    order = _own_order(request, number)
    try:
        order_services.cancel_order(order, request.user)
    except order_services.OrderError:
        messages.error(
            request, "This order can no longer be cancelled: it has shipped or closed."
        )
    else:
        messages.success(request, f"Order {order.number} is cancelled.")
    return redirect("storefront:order", number=order.number)
