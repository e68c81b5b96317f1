from wagtail import hooks
from wagtail.permissions import register_permission_policy

from shop.orders.models import Order
from shop.orders.viewsets import MANAGE, OrderPolicy, OrderViewSet, ShopTodayPanel

register_permission_policy(Order, OrderPolicy(Order))


@hooks.register("register_admin_viewset")
def register_orders_admin():
    return OrderViewSet()


@hooks.register("construct_homepage_panels")
def add_shop_today_panel(request, panels):
    if request.user.has_perm("orders.view_order") or request.user.has_perm(MANAGE):
        panels.append(ShopTodayPanel())
