from django.urls import path

from recommend import api

urlpatterns = [
    path(
        "recommendations/similar/<int:product_id>",
        api.SimilarProducts.as_view(),
        name="recommendations-similar",
    ),
    path("recommendations/for-me", api.ForMe.as_view(), name="recommendations-for-me"),
    path(
        "recommendations/popular",
        api.PopularProducts.as_view(),
        name="recommendations-popular",
    ),
    path("events", api.Events.as_view(), name="events"),
]
