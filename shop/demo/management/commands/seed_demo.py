"""Fills the shop with a generated demo catalog, shoppers and their history."""

from datetime import datetime

from django.core.management import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from shop.demo.sales import configure_demo_shop
from shop.demo.seed import delete_demo, demo_exists, seed_demo


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Create a demo catalog (category tree, products with variants, stock and "
        "images, collections, home and landing pages), demo shoppers, reviews and "
        "an interaction history. Does nothing if a catalog exists, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=100)
        parser.add_argument("--shoppers", type=int, default=200)
        parser.add_argument(
            "--events-per-shopper",
            type=int,
            default=60,
            help="Average number of interactions per shopper (it varies per shopper).",
        )
        parser.add_argument(
            "--seed", type=int, default=42, help="Same seed, same data."
        )
        parser.add_argument(
            "--until",
            type=_moment,
            default=None,
            help="End of the 180-day history (ISO date-time; default: now).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete the whole catalog, collections and demo shoppers.",
        )

    def handle(self, *args, **options):
        if options["products"] < 1 or options["shoppers"] < 1:
            raise CommandError("--products and --shoppers must be at least 1.")
        if options["events_per_shopper"] < 1:
            raise CommandError("--events-per-shopper must be at least 1.")
        if not options["reset"] and demo_exists():
            self.stdout.write(
                "A catalog or demo shoppers already exist: nothing done. "
                "Use --reset to replace them with fresh demo data."
            )
            return
        # One transaction: a failed reseed leaves the old data in place.
        with transaction.atomic():
            if options["reset"]:
                delete_demo(self.stdout.write)
            seed_demo(
                products=options["products"],
                shoppers=options["shoppers"],
                events_per_shopper=options["events_per_shopper"],
                seed=options["seed"],
                until=options["until"] or timezone.now(),
                log=self.stdout.write,
            )
            configure_demo_shop()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
