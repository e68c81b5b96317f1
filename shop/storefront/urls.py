"""The shopper's pages outside the Wagtail page tree: search, cart, checkout and
account. Catalog pages (home, categories, products) are Wagtail pages."""

from django.urls import path

from shop.storefront.views import account, cart, catalog, checkout

app_name = "storefront"

urlpatterns = [
    # Browsing and the cart (sf-browse).
    path("search/", catalog.search, name="search"),
    path("cart/", cart.cart_page, name="cart"),
    path("cart/add/", cart.add_to_cart, name="cart-add"),
    path("cart/update/", cart.update_line, name="cart-update"),
    path("products/<int:product_id>/review/", catalog.write_review, name="review"),
]

# Checkout and account ------------------------------------------------------
urlpatterns += [
    path("checkout/", checkout.information, name="checkout"),
    path("checkout/shipping/", checkout.shipping, name="checkout-shipping"),
    path("checkout/payment/", checkout.payment, name="checkout-payment"),
    path("checkout/voucher/", checkout.apply_voucher, name="checkout-voucher"),
    path(
        "checkout/voucher/remove/",
        checkout.remove_voucher,
        name="checkout-voucher-remove",
    ),
    path(
        "checkout/confirmation/",
        checkout.confirmation,
        name="checkout-confirmation",
    ),
    path("account/", account.overview, name="account"),
    path("account/sign-in/", account.sign_in, name="sign-in"),
    path("account/sign-out/", account.sign_out, name="sign-out"),
    path("account/register/", account.register, name="register"),
    path("account/password-reset/", account.password_reset, name="password-reset"),
    path(
        "account/password-reset/confirm/",
        account.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("account/addresses/", account.addresses, name="addresses"),
    path("account/addresses/new/", account.address_form, name="address-new"),
    path("account/addresses/<int:pk>/", account.address_form, name="address"),
    path(
        "account/addresses/<int:pk>/delete/",
        account.address_delete,
        name="address-delete",
    ),
    path("account/orders/", account.orders, name="orders"),
    path("account/orders/<int:number>/", account.order_detail, name="order"),
    path(
        "account/orders/<int:number>/cancel/",
        account.order_cancel,
        name="order-cancel",
    ),
]
