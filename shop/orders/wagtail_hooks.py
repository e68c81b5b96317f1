from wagtail import hooks
from wagtail.permissions import register_permission_policy

from shop.orders.models import Order
from shop.orders.viewsets import OrderPolicy, OrderViewSet

register_permission_policy(Order, OrderPolicy(Order))


@hooks.register("register_admin_viewset")
def register_orders_admin():
    return OrderViewSet()
