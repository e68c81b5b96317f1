from django.urls import path

from recommend import api
from shop.api.views import moved

urlpatterns = [
    path(
        "recommendations/similar/<int:product_id>/",
        api.SimilarProducts.as_view(),
        name="recommendations-similar",
    ),
    path("recommendations/for-me/", api.ForMe.as_view(), name="recommendations-for-me"),
    path(
        "recommendations/popular/",
        api.PopularProducts.as_view(),
        name="recommendations-popular",
    ),
    path("events/", api.Events.as_view(), name="events"),
    # The slash-less paths of the first release answer 308 for this version.
    path(
        "recommendations/similar/<int:product_id>",
        moved("recommendations-similar"),
    ),
    path("recommendations/for-me", moved("recommendations-for-me")),
    path("recommendations/popular", moved("recommendations-popular")),
    path("events", moved("events")),
]
