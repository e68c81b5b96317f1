"""The shop's URLs plus the floor endpoints; used only by bench.settings."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/floor", views.floor),
    path("bench/floor-drf", views.DrfFloor.as_view()),
    path("", include("shop.urls")),
]
