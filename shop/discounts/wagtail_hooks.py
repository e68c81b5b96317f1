from wagtail import hooks

from shop.discounts.viewsets import VoucherViewSet


@hooks.register("register_admin_viewset")
def register_vouchers_admin():
    return VoucherViewSet()
