"""The shopper's pages outside the Wagtail page tree: search, cart, checkout and
account. Catalog pages (home, categories, products) are Wagtail pages."""

from django.urls import path

from shop.storefront.views import cart, catalog

app_name = "storefront"

urlpatterns = [
    # Browsing and the cart (sf-browse).
    path("search/", catalog.search, name="search"),
    path("cart/", cart.cart_page, name="cart"),
    path("cart/add/", cart.add_to_cart, name="cart-add"),
    path("cart/update/", cart.update_line, name="cart-update"),
    path("products/<int:product_id>/review/", catalog.write_review, name="review"),
]
