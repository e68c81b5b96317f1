from shop.orders.models import OrderStatus


class HidesFailedAttempts:
    """For order FilterSets: failed checkout attempts (declined payments) are
    left out unless the status filter asks for them."""

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=OrderStatus.FAILED)
        return super().filter_queryset(queryset)
