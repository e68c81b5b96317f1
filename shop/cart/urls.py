from django.urls import path

from shop.cart import views

urlpatterns = [
    path("cart/", views.CartDetail.as_view(), name="cart"),
    path("cart/lines/", views.CartLines.as_view(), name="cart-lines"),
    path(
        "cart/lines/<int:line_id>/",
        views.CartLineDetail.as_view(),
        name="cart-line",
    ),
]
