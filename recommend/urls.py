from django.urls import path

from recommend import views
from shop.api.views import moved

urlpatterns = [
    path(
        "recommendations/similar/<int:product_id>/",
        views.SimilarProducts.as_view(),
        name="recommendations-similar",
    ),
    path(
        "recommendations/for-me/",
        views.ForMe.as_view(),
        name="recommendations-for-me",
    ),
    path(
        "recommendations/popular/",
        views.PopularProducts.as_view(),
        name="recommendations-popular",
    ),
    path("events/", views.Events.as_view(), name="events"),
    # The slash-less paths of the first release answer 308 for this version.
    path(
        "recommendations/similar/<int:product_id>",
        moved("recommendations-similar"),
    ),
    path("recommendations/for-me", moved("recommendations-for-me")),
    path("recommendations/popular", moved("recommendations-popular")),
    path("events", moved("events")),
]
