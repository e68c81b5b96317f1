from wagtail import hooks

from shop.stock.viewsets import StockViewSet


@hooks.register("register_admin_viewset")
def register_stock_viewset():
    return StockViewSet()
