"""Prepares a platform in one step: schema, cache table, and (under the dev
settings or with --demo) demo data and a demo admin.

Cheap to run again: each step skips what is already there.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command

from cms.models import ProductPage

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

    def handle(self, *args, demo, **options):
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
            self.stdout.write("Training the recommender on the demo data...")
            call_command("recommend", "train", stdout=self.stdout)
        User = get_user_model()
        if not User.objects.filter(email=DEMO_ADMIN_EMAIL).exists():
            User.objects.create_superuser(
                email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD
            )
        self.stdout.write(
            self.style.SUCCESS(
                "\nShop ready on http://127.0.0.1:8000/\n"
                f"  Wagtail admin: http://127.0.0.1:8000/admin/  "
                f"(demo admin: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD})\n"
                "  REST API:      http://127.0.0.1:8000/api/v1/\n"
                "  API docs:      http://127.0.0.1:8000/api/v1/docs/\n"
            )
        )
