"""The storefront checkout: information, shipping, payment, confirmation.

Three steps on three pages, each a plain form (no JavaScript needed), over the
same services as the REST API (shop.checkout.services). The checkout is bound
to the request's cart (shop.cart.identity: the signed-in user's, else the
session's): its token lives in the session, never in a URL. Every amount shown
is computed by the server for this request.

Placing the order posts the payment form, which carries an idempotency key
generated when the page was rendered: a second post of the same page (a double
click, a reload) finds the order the first one placed. The order just placed
is remembered in the session for the confirmation page.
"""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shop.accounts import services as account_services
from shop.accounts.services import ADDRESS_FIELDS, AccountError
from shop.cart import identity
from shop.checkout import services
from shop.checkout.models import Checkout
from shop.checkout.services import CheckoutError
from shop.discounts.services import VoucherError
from shop.orders.models import Order
from shop.plugins.builtin import dummy_payment
from shop.stock.services import InsufficientStock
from shop.storefront.account_forms import AddressForm, add_service_error
from shop.storefront.checkout_forms import (
    NEW_ADDRESS,
    ContactForm,
    PaymentForm,
    ShippingMethodForm,
    VoucherForm,
)

SESSION_CHECKOUT = "storefront_checkout"
SESSION_ORDER = "storefront_order"

DECLINED = {
    "card_declined": "Your card was declined. Try another card or payment method.",
    "insufficient_funds": "Your card was declined for insufficient funds. "
    "Try another card or payment method.",
    "processing_error": "The payment could not be processed. Nothing was "
    "charged; please try again.",
    "invalid_card": "This card number was not accepted. Check it and try again.",
}
DECLINED_OTHERWISE = (
    "The payment was declined and nothing was ordered. Try again or choose "
    "another payment method."
)
VOUCHER_NOT_FOUND = "This voucher code is not valid. Check it and try again."
# Which step fixes what completion found missing.
STEP_OF = {
    "email_required": "storefront:checkout",
    "shipping_address_required": "storefront:checkout",
    "billing_address_required": "storefront:checkout",
    "shipping_method_required": "storefront:checkout-shipping",
    "invalid_shipping_method": "storefront:checkout-shipping",
}


def _owner(request):
    return request.user if request.user.is_authenticated else None


def _session_checkout(request, *, open_only: bool) -> Checkout | None:
    """The session's checkout if it is still this shopper's (a sign-in or
    sign-out changes whose cart it is)."""
    token = request.session.get(SESSION_CHECKOUT)
    if not token:
        return None
    checkouts = Checkout.objects.select_related("cart").filter(
        token=token, user=_owner(request)
    )
    if open_only:
        checkouts = checkouts.filter(completed_at__isnull=True)
    return checkouts.first()


def _open_checkout(request) -> Checkout | None:
    """The checkout of the request's cart, started on first use; None when
    there is nothing to buy."""
    cart = identity.find_cart(request)
    if cart is None:
        return None
    checkout = _session_checkout(request, open_only=True)
    if checkout is not None and checkout.cart_id == cart.pk:
        return checkout
    try:
        checkout = services.create_checkout(cart, _owner(request))
    except CheckoutError:
        return None
    request.session[SESSION_CHECKOUT] = str(checkout.token)
    return checkout


def _summary(state, totals) -> dict:
    return {
        "checkout": state.checkout,
        "lines": [
            {"line": line, "unit_price": info.unit_price, "total": total}
            for line, info, total in zip(
                state.lines, state.info.lines, totals.line_totals, strict=True
            )
        ],
        "totals": totals,
    }


def _empty(request):
    return render(request, "storefront/checkout/empty.html")


def _step(request, template, state, totals, **context):
    return render(
        request, template, {**_summary(state, totals), "step": template, **context}
    )


def _address_dict(address) -> dict:
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}


def _information_forms(request, checkout, addresses):
    user = _owner(request)
    if request.method == "POST":
        contact = ContactForm(request.POST, user=user, addresses=addresses)
        contact.is_valid()
        saved = contact.saved()
        same = contact.cleaned_data.get("billing_same", False)
        # A form not used is shown unbound, so it shows no errors.
        shipping = AddressForm(None if saved else request.POST, prefix="shipping")
        billing = AddressForm(None if same else request.POST, prefix="billing")
        return contact, shipping, billing
    shipping_address = checkout.shipping_address
    billing_address = checkout.billing_address
    saved = next((a for a in addresses if _address_dict(a) == shipping_address), None)
    if shipping_address is None and user is not None:
        saved = next(
            (a for a in addresses if a.pk == user.default_shipping_address_id), None
        )
    names = {"first_name": user.first_name, "last_name": user.last_name} if user else {}
    contact = ContactForm(
        user=user,
        addresses=addresses,
        initial={
            "email": checkout.email,
            "saved_address": str(saved.pk) if saved else NEW_ADDRESS,
            "billing_same": billing_address in (None, shipping_address),
        },
    )
    # A new address starts from the account's names.
    shipping = AddressForm(
        prefix="shipping",
        initial=names if saved or not shipping_address else shipping_address,
    )
    billing = AddressForm(
        prefix="billing",
        initial=billing_address if billing_address != shipping_address else {},
    )
    return contact, shipping, billing


def _information_changes(contact, shipping, billing) -> dict | None:
    """What the valid forms set on the checkout; None when one is invalid."""
    if not contact.is_valid():
        return None
    saved = contact.saved()
    shipping_valid = saved is not None or shipping.is_valid()
    billing_valid = contact.cleaned_data["billing_same"] or billing.is_valid()
    if not (shipping_valid and billing_valid):
        return None
    shipping_address = _address_dict(saved) if saved else shipping.address_data()
    changes = {
        "shipping_address": shipping_address,
        "billing_address": shipping_address
        if contact.cleaned_data["billing_same"]
        else billing.address_data(),
    }
    if "email" in contact.fields:
        changes["email"] = contact.cleaned_data["email"]
    return changes


def _remember(request, address: dict) -> None:
    """Saves a new shipping address to the signed-in shopper's address book
    (their default shipping address when they have none)."""
    user = request.user
    try:
        account_services.save_address(
            user,
            address,
            default_shipping=True if not user.default_shipping_address_id else None,
        )
    except AccountError as error:
        messages.warning(request, f"The address was not saved: {error.message}")


@never_cache
@require_http_methods(["GET", "POST"])
def information(request):
    checkout = _open_checkout(request)
    if checkout is None:
        return _empty(request)
    state = services.load(checkout)
    if not state.lines:
        return _empty(request)
    user = _owner(request)
    addresses = list(user.addresses.all()) if user else []
    contact, shipping, billing = _information_forms(request, checkout, addresses)
    if request.method == "POST":
        changes = _information_changes(contact, shipping, billing)
        if changes is not None:
            services.update_checkout(checkout, **changes)
            if contact.cleaned_data.get("remember") and not contact.saved():
                _remember(request, changes["shipping_address"])
            return redirect("storefront:checkout-shipping")
    return _step(
        request,
        "storefront/checkout/information.html",
        state,
        services.compute_totals(state),
        contact_form=contact,
        shipping_form=shipping,
        billing_form=billing,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def shipping(request):
    checkout = _open_checkout(request)
    if checkout is None:
        return _empty(request)
    if not checkout.shipping_address:
        return redirect("storefront:checkout")
    state = services.load(checkout)
    if not state.lines:
        return _empty(request)
    methods = services.shipping_methods(state)
    form = ShippingMethodForm(
        request.POST or None,
        methods=methods,
        initial={"shipping_method_id": checkout.shipping_method_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_shipping_method(
                checkout, form.cleaned_data["shipping_method_id"]
            )
        except CheckoutError as error:
            add_service_error(form, error)
        else:
            return redirect("storefront:checkout-payment")
    return _step(
        request,
        "storefront/checkout/shipping.html",
        state,
        services.compute_totals(state),
        form=form,
        methods=methods,
    )


def _test_cards(gateways) -> list[tuple[str, str]]:
    """The dummy gateway's test cards, shown while it is offered."""
    if dummy_payment.DummyPaymentPlugin.PLUGIN_ID not in {g.id for g in gateways}:
        return []
    return [
        (dummy_payment.SUCCESS_CARD, "accepted"),
        *(
            (card, f"declined ({reason.replace('_', ' ')})")
            for card, reason in dummy_payment.FAILING_CARDS.items()
        ),
    ]


def _payment_page(
    request, checkout, *, payment_form=None, voucher_form=None, voucher_error=""
):
    """The payment step, or the step that must come first. Each render carries
    a new idempotency key: the next submit is a new attempt."""
    if not checkout.shipping_address:
        return redirect("storefront:checkout")
    state = services.load(checkout)
    if not state.lines:
        return _empty(request)
    totals = services.compute_totals(state)
    if totals.shipping_method is None:
        return redirect("storefront:checkout-shipping")
    gateways = services.payment_gateways(state)
    if totals.voucher_error is not None and not voucher_error:
        # Applied earlier, it stopped applying (used up, expired, ...).
        voucher_error = _voucher_message(totals.voucher_error)
    return _step(
        request,
        "storefront/checkout/payment.html",
        state,
        totals,
        gateways=gateways,
        form=payment_form or PaymentForm(gateways=gateways),
        idempotency_key=uuid.uuid4().hex,
        voucher_form=voucher_form or VoucherForm(),
        voucher_error=voucher_error,
        test_cards=_test_cards(gateways),
    )


def _voucher_message(error: VoucherError) -> str:
    return VOUCHER_NOT_FOUND if error.code == "voucher_not_found" else error.message


@never_cache
@require_http_methods(["GET", "POST"])
def payment(request):
    if request.method == "POST":
        return _place_order(request)
    checkout = _open_checkout(request)
    if checkout is None:
        return _empty(request)
    return _payment_page(request, checkout)


def _shortage_message(error: InsufficientStock, checkout) -> str:
    lines = {line.variant_id: line for line in services.load(checkout).lines}
    names = []
    for shortage in error.shortages:
        line = lines.get(shortage.variant_id)
        name = line.variant.product.title if line else "An item"
        variant = services.variant_name(line.variant) if line else ""
        label = f"{name} ({variant})" if variant else name
        names.append(
            f"{label}: only {shortage.available} left"
            if shortage.available > 0
            else f"{label}: sold out"
        )
    return (
        "Some items ran out while you were checking out: "
        + "; ".join(names)
        + ". Change the quantities in your cart; nothing was ordered."
    )


def _unavailable_message(error: CheckoutError, checkout) -> str:
    variant_ids = {v["variant_id"] for v in error.detail["variants"]}
    names = sorted(
        line.variant.product.title
        for line in services.load(checkout).lines
        if line.variant_id in variant_ids
    )
    return (
        f"No longer for sale: {', '.join(names)}. Remove it from your cart to "
        "continue; nothing was ordered."
    )


def _place_order(request):
    # The session's checkout even when completed: a second post of the same
    # form finds the order the first one placed.
    checkout = _session_checkout(request, open_only=False)
    if checkout is None:
        return redirect("storefront:checkout")
    gateways = services.payment_gateways(services.load(checkout))
    form = PaymentForm(request.POST, gateways=gateways)
    if not form.is_valid():
        return _payment_page(request, checkout, payment_form=form)
    data = form.cleaned_data
    try:
        completion = services.complete_checkout(
            checkout, data["idempotency_key"], data["gateway"], data["card_number"]
        )
    except InsufficientStock as error:
        form.add_error(None, _shortage_message(error, checkout))
    except VoucherError as error:
        return _payment_page(
            request,
            checkout,
            payment_form=form,
            voucher_error=_voucher_message(error),
        )
    except CheckoutError as error:
        if error.code in STEP_OF:
            messages.error(request, error.message)
            return redirect(STEP_OF[error.code])
        if error.code == "variant_unavailable":
            form.add_error(None, _unavailable_message(error, checkout))
        elif error.code == "cart_empty":
            return redirect("storefront:checkout")
        elif error.code == "checkout_completed" and checkout.completed_at:
            # A stale payment page posted after the order was placed.
            return redirect("storefront:checkout-confirmation")
        elif error.code == "checkout_completed":
            form.add_error(
                None,
                "This order is being placed in another window; check your "
                "orders before trying again.",
            )
        else:
            add_service_error(form, error)
    else:
        if not completion.declined:
            request.session[SESSION_ORDER] = completion.order.pk
            return redirect("storefront:checkout-confirmation")
        form.add_error(
            "card_number", DECLINED.get(completion.error, DECLINED_OTHERWISE)
        )
    return _payment_page(request, checkout, payment_form=form)


@never_cache
@require_POST
def apply_voucher(request):
    checkout = _open_checkout(request)
    if checkout is None:
        return _empty(request)
    form = VoucherForm(request.POST)
    if form.is_valid():
        try:
            services.apply_voucher(checkout, form.cleaned_data["code"])
        except VoucherError as error:
            form.add_error("code", _voucher_message(error))
        except CheckoutError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Voucher applied.")
            return redirect("storefront:checkout-payment")
    return _payment_page(request, checkout, voucher_form=form)


@never_cache
@require_POST
def remove_voucher(request):
    checkout = _open_checkout(request)
    if checkout is not None:
        services.remove_voucher(checkout)
        messages.success(request, "Voucher removed.")
    return redirect("storefront:checkout-payment")


@never_cache
def confirmation(request):
    pk = request.session.get(SESSION_ORDER)
    order = (
        Order.objects.filter(pk=pk, user=_owner(request))
        .prefetch_related("lines")
        .first()
        if pk
        else None
    )
    if order is None:
        return redirect("storefront:checkout")
    return render(request, "storefront/checkout/confirmation.html", {"order": order})
