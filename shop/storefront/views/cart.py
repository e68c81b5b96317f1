"""The cart: add from the product page, the cart page, quantity change and
removal. Thin views over shop.cart's services; which cart a request means is
shop.cart.identity's decision.

Every view here is never cached and every post is CSRF-checked (the add-to-cart
post as shop.storefront.csrf explains). A refused post shows the page again
with the refusal beside the form it concerns; a successful one redirects.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cms import selectors
from cms.models import ProductPage
from recommend import storefront as recommendations
from recommend.models import InteractionKind
from shop.cart import identity, services
from shop.cart.models import CartLine
from shop.cart.services import CartError, CartErrorCode
from shop.checkout.services import variant_name
from shop.storefront.csrf import csrf_protect_personal
from shop.storefront.forms import AddToCartForm, CartLineForm

# Session key: the unit price of each variant (by id) when the shopper last saw
# it, so that the cart can say on the line that a price changed since.
PRICES_SEEN = "cart_prices_seen"


def shopper_message(error: CartError) -> str:
    """A cart refusal in the shopper's words."""
    if error.code == CartErrorCode.VARIANT_UNAVAILABLE:
        return "Sorry, this size and colour is sold out."
    if error.code == CartErrorCode.INSUFFICIENT_STOCK:
        (short,) = error.detail["variants"]
        return f"Sorry, only {short['available']} left in this size and colour."
    if error.code in (CartErrorCode.VARIANT_NOT_FOUND, CartErrorCode.LINE_NOT_FOUND):
        return "That item is no longer available; please choose again."
    return error.message


@dataclass
class CartRow:
    line: CartLine
    available: int
    total: Decimal
    # What stops a checkout (stock), and what the shopper should just know.
    problems: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    form: CartLineForm | None = None


def _rows(request, lines: list[CartLine], refused: dict) -> list[CartRow]:
    """Each line with what the shopper must know about it: stock and price
    changes since it was added, and a refused change of its quantity."""
    seen = request.session.get(PRICES_SEEN, {}) if lines else {}
    rows = []
    for line in lines:
        variant = line.variant
        available = max(services.available_quantity(variant), 0)
        row = CartRow(line, available, services.line_total(line))
        if not services.is_sellable(variant):
            row.problems.append("No longer for sale: please remove it.")
        elif available == 0:
            row.problems.append("Sold out: please remove it.")
        elif line.quantity > available:
            row.problems.append(
                f"Only {available} left: lower the quantity to check out."
            )
        before = seen.get(str(variant.pk))
        if before is not None and Decimal(before) != variant.price:
            row.notices.append(
                f"Price changed from {before} to {variant.price} {variant.currency} "
                "since you added it."
            )
        row.form = refused.get(line.pk)
        rows.append(row)
    current = {str(line.variant.pk): str(line.variant.price) for line in lines}
    if lines and current != seen:
        # Shown once: the next visit compares against the price shown now.
        request.session[PRICES_SEEN] = current
    return rows


def _show_cart(request, refused: dict | None = None, status: int = 200):
    cart = identity.find_cart(request)
    lines = services.cart_lines_for_checkout(cart) if cart else []
    prefetch_related_objects(
        lines,
        Prefetch("variant__product__images", queryset=selectors.gallery()),
        "variant__product__images__image__renditions",
    )
    rows = _rows(request, lines, refused or {})
    context = {
        "rows": rows,
        "item_count": sum(line.quantity for line in lines),
        "subtotal": services.cart_subtotal(lines),
        "currency": lines[0].variant.currency if lines else "",
        "can_check_out": bool(rows) and not any(row.problems for row in rows),
    }
    return render(request, "storefront/cart.html", context, status=status)


@never_cache
@require_safe
def cart_page(request):
    return _show_cart(request)


@never_cache
@require_POST
@csrf_protect_personal
def add_to_cart(request):
    form = AddToCartForm(request.POST)
    if form.is_valid():
        try:
            cart = identity.get_or_create_cart(request)
            line = services.add_line(
                cart, form.cleaned_data["variant"], form.cleaned_data["quantity"]
            )
        except CartError as error:
            form.add_error(None, shopper_message(error))
        else:
            variant = line.variant
            request.session.setdefault(PRICES_SEEN, {})[str(variant.pk)] = str(
                variant.price
            )
            recommendations.record(
                request, variant.product_id, InteractionKind.CART_ADD
            )
            messages.success(
                request,
                f"Added {form.cleaned_data['quantity']} × {variant.product.title} "
                f"({variant_name(variant)}) to your cart.",
            )
            return redirect("storefront:cart")
    return _product_page_again(request, form)


def _product_page_again(request, form: AddToCartForm):
    """The product page with the refused form, answered to the post itself."""
    product_id = form.cleaned_data.get("product") if form.is_bound else None
    product = (
        ProductPage.objects.live().filter(pk=product_id).first() if product_id else None
    )
    if product is None:
        raise Http404("No such product.")
    context = product.get_context(request)
    context["cart_form"] = form
    status = 409 if form.non_field_errors() else 400
    return TemplateResponse(
        request, product.get_template(request), context, status=status
    )


@never_cache
@require_POST
def update_line(request):
    """A line's new quantity (0 or `remove`: the line goes)."""
    form = CartLineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        quantity = 0 if data["remove"] else data["quantity"]
        try:
            cart = identity.find_cart(request)
            if cart is None:
                raise CartError("line_not_found", "No such line in this cart.")
            services.set_quantity(cart, data["line"], quantity)
        except CartError as error:
            form.add_error("quantity", shopper_message(error))
        else:
            messages.success(
                request, "Removed from your cart." if not quantity else "Cart updated."
            )
            return redirect("storefront:cart")
    line_id = form.cleaned_data.get("line")
    return _show_cart(request, refused={line_id: form}, status=409)
