from django.urls import path
from rest_framework.routers import SimpleRouter

from cms.api import views

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("products", views.ProductViewSet, basename="product")
router.register("collections", views.CollectionViewSet, basename="collection")

urlpatterns = [
    *router.urls,
    path(
        "products/<int:product_id>/reviews/",
        views.ProductReviewList.as_view(),
        name="product-reviews",
    ),
]
