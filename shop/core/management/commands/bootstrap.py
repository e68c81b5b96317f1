"""Prepares a local platform in one step: schema, cache table, demo data, demo admin.

Cheap to run again: each step skips what is already there.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command

from cms.demo.seed import DEMO_PASSWORD
from cms.demo.shoppers import DEMO_EMAIL_DOMAIN
from cms.models import ProductPage
from shop.plugins.demo import demo_shop_summary

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "admin"


class Command(BaseCommand):
    help = (
        "Migrate, create the cache table, seed demo data once and ensure a demo admin."
    )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
            call_command("createcachetable", verbosity=0)
        if not ProductPage.objects.exists():
            self.stdout.write("Seeding demo data (first run only)...")
            call_command("seed_demo", stdout=self.stdout)
            # Without a worker nothing else trains the recommender before the
            # first storefront visit.
            self.stdout.write("Training the recommender on the demo data...")
            call_command("recommend", "train", stdout=self.stdout)
        User = get_user_model()
        if not User.objects.filter(email=DEMO_ADMIN_EMAIL).exists():
            User.objects.create_superuser(
                email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD
            )
        self.stdout.write(self.style.SUCCESS(ready_message("http://127.0.0.1:8000/")))


def ready_message(url: str) -> str:
    """Where everything is and how to sign in and buy in the demo."""
    lines = [
        f"\nShop ready on {url}",
        f"  Storefront:    {url}",
        f"  Wagtail admin: {url}admin/  "
        f"(demo admin: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD})",
        f"  REST API:      {url}api/v1/  (docs: {url}api/v1/docs/)",
    ]
    shopper = (
        get_user_model()
        .objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .order_by("pk")
        .first()
    )
    if shopper is not None:
        lines.append(f"  Demo shopper:  {shopper.email} / {DEMO_PASSWORD}")
    lines += [f"  {line}" for line in demo_shop_summary()]
    return "\n".join(lines) + "\n"
