from django.urls import path
from rest_framework.routers import SimpleRouter

from shop.accounts import views

router = SimpleRouter(use_regex_path=False)
router.register("account/addresses", views.AddressViewSet, basename="address")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/session/", views.SessionView.as_view(), name="session"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path(
        "auth/password-reset/",
        views.PasswordResetView.as_view(),
        name="password-reset",
    ),
    path(
        "auth/password-reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("account/me/", views.MeView.as_view(), name="me"),
    path(
        "account/password/", views.PasswordChangeView.as_view(), name="password-change"
    ),
    *router.urls,
]
