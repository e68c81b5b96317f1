from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from shop.api import views

app_name = "api"

v1_patterns = [
    path("", views.Index.as_view(), name="index"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/", SpectacularSwaggerView.as_view(url_name="api:v1:schema"), name="docs"
    ),
    path("", include("cms.api.urls")),
    path("", include("recommend.urls")),
    path("", include("shop.accounts.urls")),
    path("", include("shop.cart.urls")),
    path("", include("shop.checkout.urls")),
    path("", include("shop.orders.urls")),
]

urlpatterns = [
    path("v1/", include((v1_patterns, "v1"), namespace="v1")),
    # Last: whatever else is under /api/ is a JSON 404.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
