"""Prepares a platform in one step: schema, cache table, and (under the dev
settings or with --demo) demo data and a demo admin.

Cheap to run again: each step skips what is already there. With the demo and
``--serve`` it then serves the shop at ``--address`` and prints where once it
answers.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError, call_command

from cms.models import ProductPage
from recommend import pipeline
from shop.core.serve import Address, ServeError, point_default_site, serve
from shop.demo.sales import demo_shop_summary
from shop.demo.seed import DEMO_PASSWORD
from shop.demo.shoppers import DEMO_EMAIL_DOMAIN

DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_ADMIN_PASSWORD = "admin"


class Command(BaseCommand):
    help = (
        "Migrate, create the cache table; with --demo (default under the dev "
        "settings), seed demo data once and ensure a demo admin."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also seed the demo data and the demo admin (the default under "
            "the dev settings only: their passwords are public).",
        )
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="HOST:PORT the shop is served at; the demo site's URLs name it.",
        )
        parser.add_argument(
            "--serve",
            action="store_true",
            help="With the demo, then run the development server there until stopped.",
        )

    def handle(self, *args, demo, **options):
        try:
            address = Address.parse(options["address"])
        except ServeError as error:
            raise CommandError(str(error)) from None
        call_command("migrate", interactive=False, verbosity=0)
        if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
            call_command("createcachetable", verbosity=0)
        if not (demo or settings.BOOTSTRAP_DEMO):
            self.stdout.write(
                "Schema ready. No demo data or demo accounts (pass --demo for "
                "them); create an admin with `manage.py createsuperuser`."
            )
            return
        if not ProductPage.objects.exists():
            self.stdout.write("Seeding demo data (first run only)...")
            call_command("seed_demo", stdout=self.stdout)
        # Without a worker nothing else trains the recommender before the
        # first storefront visit.
        if pipeline.needs_training():
            self.stdout.write(
                "Training the recommender (no model yet, or the catalog changed)..."
            )
            call_command("recommend", "train", stdout=self.stdout)
        User = get_user_model()
        if not User.objects.filter(email=DEMO_ADMIN_EMAIL).exists():
            User.objects.create_superuser(
                email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD
            )
        point_default_site(address)
        if not options["serve"]:
            self.stdout.write(
                ready_message(address.url, "Set up; `make run` serves it at")
            )
            return
        try:
            status = serve(
                address,
                announce=lambda: self.stdout.write(
                    self.style.SUCCESS(ready_message(address.url, "Shop ready on"))
                ),
            )
        except ServeError as error:
            raise CommandError(str(error)) from None
        if status:
            raise CommandError(f"The server stopped (exit status {status}).")


def ready_message(url: str, heading: str) -> str:
    """Where everything is and how to sign in and buy in the demo."""
    lines = [
        f"\n{heading} {url}",
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
