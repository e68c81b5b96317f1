from django.urls import path

from shop.checkout import views

urlpatterns = [
    path("checkouts/", views.CheckoutList.as_view(), name="checkouts"),
    path("checkouts/<uuid:token>/", views.CheckoutDetail.as_view(), name="checkout"),
    path(
        "checkouts/<uuid:token>/shipping-methods/",
        views.ShippingMethods.as_view(),
        name="checkout-shipping-methods",
    ),
    path(
        "checkouts/<uuid:token>/voucher/",
        views.Voucher.as_view(),
        name="checkout-voucher",
    ),
    path(
        "checkouts/<uuid:token>/payment-gateways/",
        views.PaymentGateways.as_view(),
        name="checkout-payment-gateways",
    ),
    path(
        "checkouts/<uuid:token>/complete/",
        views.Complete.as_view(),
        name="checkout-complete",
    ),
]
