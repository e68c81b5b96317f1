"""`manage.py recommend train` and `manage.py recommend evaluate`."""

import argparse
import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommend import evaluation, pipeline
from recommend.data import load_catalog, load_interactions
from recommend.personal import WEIGHT_NAMES

EVALUATE_HELP = f"""\
Offline evaluation with full ranking (no sampled negatives), on the stored
interactions or on two CSV files.

Personal lists (default): per shopper with two products or more, one is held
out (--split last: the product they came to last, with everything from then
on; random: one drawn with --seed); every model ranks the whole catalog and is
scored HR, NDCG, MAP and coverage at --k, each with a bootstrap 95% interval.
"blend (tuned)" is what training would choose (there: on a "last" split),
tuned on a validation split of the same kind carved from the training part.

Similar products (--similar --label-column COLUMN): per product whose label
another product shares, the share of its top k similar products with the same
label, for a plain TF-IDF over title and description, the content model and
the served (blended) list.

{evaluation.CSV_FORMATS}"""


def _weights(value: str) -> dict[str, float]:
    """ "next=1,cooccurrence=0.5,content=0.1,popularity=0.05"."""
    weights = {}
    for part in value.split(","):
        name, _, number = part.partition("=")
        name = name.strip()
        if name not in WEIGHT_NAMES:
            raise argparse.ArgumentTypeError(
                f"unknown weight {name!r}: use {', '.join(WEIGHT_NAMES)}"
            )
        try:
            weights[name] = float(number)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part!r} is not NAME=NUMBER") from None
        if weights[name] < 0:
            raise argparse.ArgumentTypeError(f"{name} must not be negative")
    return weights


class Command(BaseCommand):
    help = "Train the recommender, or evaluate its models offline."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser(
            "train", help="Train on the catalog and interactions, then publish."
        )
        evaluate = actions.add_parser(
            "evaluate",
            help="Offline evaluation of the personal and similar-product lists.",
            description=EVALUATE_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        evaluate.add_argument("--items", type=Path, help="Items CSV (see above).")
        evaluate.add_argument(
            "--interactions", type=Path, help="Interactions CSV (see above)."
        )
        evaluate.add_argument("--k", type=int, default=10, help="List length.")
        evaluate.add_argument(
            "--split", choices=("last", "random"), default="last", help="Held out."
        )
        evaluate.add_argument(
            "--seed", type=int, default=0, help="Random split, bootstrap, tuning."
        )
        evaluate.add_argument(
            "--weights",
            type=_weights,
            help='Also evaluate this blend, e.g. "next=1,cooccurrence=0.5,'
            'content=0.1,popularity=0.05".',
        )
        evaluate.add_argument(
            "--similar",
            action="store_true",
            help="Evaluate similar products against --label-column.",
        )
        evaluate.add_argument(
            "--label-column", help="The items CSV column holding each label."
        )
        evaluate.add_argument(
            "--format", choices=("table", "json"), default="table", help="Output."
        )

    def handle(self, *args, action, **options):
        if action == "train":
            self.train()
        else:
            self.evaluate(**options)

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

    def _read(self, items_path, interactions_path, label_column):
        if (items_path is None) != (interactions_path is None):
            raise CommandError("Give both --items and --interactions, or neither.")
        if items_path is None:
            if label_column:
                raise CommandError("--label-column needs --items.")
            catalog = load_catalog()
            return catalog.items, load_interactions(catalog), []
        for path in (items_path, interactions_path):
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        kinds = list(settings.RECOMMEND["KIND_WEIGHTS"])
        try:
            catalog = evaluation.read_items_csv(items_path, label_column)
            interactions = evaluation.read_interactions_csv(
                interactions_path, catalog, kinds
            )
        except (evaluation.CsvError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from error
        return catalog.items, interactions, catalog.labels

    def evaluate(self, **options):
        k = options["k"]
        if k < 1:
            raise CommandError("--k must be at least 1.")
        if options["similar"] and not options["label_column"]:
            raise CommandError("--similar needs --label-column.")
        started = time.perf_counter()
        items, interactions, labels = self._read(
            options["items"], options["interactions"], options["label_column"]
        )
        config = settings.RECOMMEND
        try:
            if options["similar"]:
                report = evaluation.evaluate_similar(
                    items, labels, interactions, config, k, seed=options["seed"]
                )
            else:
                report = evaluation.evaluate(
                    items,
                    interactions,
                    config,
                    k,
                    split=options["split"],
                    seed=options["seed"],
                    weights=options["weights"],
                )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["format"] == "json":
            self.say(json.dumps(report.as_dict(), indent=2))
            return
        protocol = report.protocol
        self.say(f"{len(items)} items, {len(interactions)} interactions")
        if options["similar"]:
            self.say(
                f"similar products of {protocol['evaluated_items']} products "
                f"({protocol['labels']} labels), agreement with --label-column"
            )
        else:
            self.say(
                f"{options['split']}-out over {protocol['shoppers']} shoppers, "
                "full catalog ranking"
            )
        self.say(evaluation.format_table(report, k))
        self.say(f"95% bootstrap intervals; in {time.perf_counter() - started:.2f} s")
