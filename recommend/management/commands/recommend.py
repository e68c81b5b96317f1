"""`manage.py recommend train` and `manage.py recommend evaluate`."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommend import evaluation, pipeline
from recommend.data import load_catalog, load_interactions


class Command(BaseCommand):
    help = "Train the recommender, or evaluate its models offline."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser(
            "train", help="Train on the catalog and interactions, then publish."
        )
        evaluate = actions.add_parser(
            "evaluate",
            help="Leave-last-out evaluation of popularity, content, co-occurrence "
            "and the blend, on the stored interactions or on CSV files.",
        )
        evaluate.add_argument(
            "--items", type=Path, help="Items CSV (id, title, category, ...)."
        )
        evaluate.add_argument(
            "--interactions",
            type=Path,
            help="Interactions CSV (user, item, timestamp, optional kind).",
        )
        evaluate.add_argument("--k", type=int, default=10, help="List length.")

    def handle(self, *args, action, **options):
        if action == "train":
            self.train()
        else:
            self.evaluate(options["items"], options["interactions"], options["k"])

    def say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def train(self) -> None:
        started = time.perf_counter()
        version = pipeline.train_now(progress=self.say)
        self.stdout.write(
            self.style.SUCCESS(
                f"Trained version {version} in {time.perf_counter() - started:.2f} s."
            )
        )

    def evaluate(self, items_path: Path | None, interactions_path: Path | None, k):
        if (items_path is None) != (interactions_path is None):
            raise CommandError("Give both --items and --interactions, or neither.")
        if k < 1:
            raise CommandError("--k must be at least 1.")
        started = time.perf_counter()
        if items_path is None:
            catalog = load_catalog()
            items = catalog.items
            interactions = load_interactions(catalog)
        else:
            for path in (items_path, interactions_path):
                if not path.is_file():
                    raise CommandError(f"No such file: {path}")
            items = evaluation.read_items_csv(items_path)
            interactions = evaluation.read_interactions_csv(interactions_path, items)
        self.say(f"{len(items)} items, {len(interactions)} interactions")
        try:
            results, shoppers = evaluation.evaluate(
                items, interactions, settings.RECOMMEND, k
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.say(f"leave-last-out over {shoppers} shoppers, full catalog ranking")
        self.say(evaluation.format_table(results, k))
        self.say(f"in {time.perf_counter() - started:.2f} s")
