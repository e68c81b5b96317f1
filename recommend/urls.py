from django.urls import path

from recommend import views

urlpatterns = [
    path(
        "recommendations/similar/<int:product_id>",
        views.SimilarProducts.as_view(),
        name="recommendations-similar",
    ),
    path(
        "recommendations/for-me", views.ForMe.as_view(), name="recommendations-for-me"
    ),
    path(
        "recommendations/popular",
        views.PopularProducts.as_view(),
        name="recommendations-popular",
    ),
    path("events", views.Events.as_view(), name="events"),
]
