"""Checkout metrics (see shop.core.metrics)."""

from prometheus_client import Counter

COMPLETIONS = Counter(
    "shop_checkout_completions",
    "Checkout completions that placed an order, by outcome: placed (paid), "
    "declined (the gateway refused the payment) or failed (the payment went "
    "through but the order could not be kept; it was voided).",
    ["outcome"],
)
