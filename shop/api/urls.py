from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

app_name = "api"

v1_patterns = [
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

urlpatterns = [path("v1/", include((v1_patterns, "v1"), namespace="v1"))]
