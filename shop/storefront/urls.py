"""The shopper's pages outside the Wagtail page tree: search, cart, checkout and
account. Catalog pages (home, categories, products) are Wagtail pages."""

app_name = "storefront"

urlpatterns = []
