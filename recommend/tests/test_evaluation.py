import json

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recommend.collaborative import Interactions
from recommend.evaluation import evaluate, evaluate_similar
from recommend.features import Item
from recommend.personal import leave_last_out, random_out

# String ids, a category-less catalog; u1 and u2 hold out their last new item,
# u3 has one item only (not evaluated).
ITEMS_CSV = """id,title,category,gender,colors,price
sku-1,Red boot,Shoes > Boots,women,Red,100
sku-2,Red boot tall,Shoes > Boots,women,Red,110
sku-3,Blue sneaker,Shoes > Sneakers,men,Blue,60
sku-4,Blue sneaker low,Shoes > Sneakers,men,Blue,55
sku-5,Green hat,Accessories > Hats,unisex,Green,20
"""
INTERACTIONS_CSV = """user,item,timestamp,kind
u1,sku-1,2026-01-01T10:00:00,view
u1,sku-1,2026-01-01T10:05:00,purchase
u1,sku-2,2026-01-02T10:00:00,view
u2,sku-3,2026-01-01T09:00:00,view
u2,sku-5,2026-01-01T09:30:00,view
u2,sku-4,2026-01-03T09:00:00,
u2,sku-3,2026-01-04T09:00:00,view
u3,sku-5,1767261600,purchase
"""


def events(*rows) -> Interactions:
    shopper, item, kind, at = zip(*rows, strict=True)
    return Interactions(
        np.array(shopper), np.array(item), np.array(kind, dtype=object), np.array(at)
    )


def run(tmp_path, items=ITEMS_CSV, interactions=INTERACTIONS_CSV, *options):
    (tmp_path / "items.csv").write_text(items)
    (tmp_path / "interactions.csv").write_text(interactions)
    call_command(
        "recommend",
        "evaluate",
        "--items",
        str(tmp_path / "items.csv"),
        "--interactions",
        str(tmp_path / "interactions.csv"),
        *options,
    )


def test_the_last_new_item_is_held_out_with_everything_after_it():
    history = events(
        (0, 0, "view", 1.0),
        (0, 1, "view", 2.0),
        (0, 0, "purchase", 3.0),  # after the held-out item: dropped
        (1, 2, "view", 1.5),  # a single item: kept for training, not evaluated
    )

    split = leave_last_out(history)

    assert split.shoppers.tolist() == [0]
    assert split.targets.tolist() == [1]
    assert split.cutoffs.tolist() == [2.0]
    train = zip(split.train.shopper.tolist(), split.train.item.tolist(), strict=True)
    assert sorted(train) == [(0, 0), (1, 2)]


def test_a_random_split_holds_out_one_item_with_all_its_events():
    history = events(
        (0, 0, "view", 1.0),
        (0, 1, "view", 2.0),
        (0, 0, "purchase", 3.0),
        (1, 2, "view", 1.5),
    )

    split = random_out(history, seed=0)

    assert split.shoppers.tolist() == [0]
    target = split.targets[0]
    assert target in (0, 1)
    assert target not in split.train.item[split.train.shopper == 0]
    assert split.cutoffs.tolist() == [1.0 if target == 0 else 2.0]
    assert len(split.train) == (2 if target == 0 else 3)


def test_json_lists_every_model_with_intervals(tmp_path, settings, capsys):
    settings.RECOMMEND = {
        **settings.RECOMMEND,
        "FIELD_WEIGHTS": {"category": 1.0, "gender": 1.0, "colors": 1.0},
    }

    run(tmp_path, ITEMS_CSV, INTERACTIONS_CSV, "--k", "2", "--format", "json")

    report = json.loads(capsys.readouterr().out)
    assert report["protocol"] == {
        "split": "last",
        "k": 2,
        "seed": 0,
        "items": 5,
        "interactions": 8,
        "shoppers": 2,
        "bootstrap_samples": 1000,
    }
    names = [model["name"] for model in report["models"]]
    assert names == [
        "popularity",
        "content",
        "co-occurrence",
        "next",
        "item-kNN (whole history)",
        "blend (configured)",
        "blend (tuned)",
    ]
    by_name = {model["name"]: model for model in report["models"]}
    # u1 (seen sku-1) holds out sku-2, u2 (seen sku-3, sku-5) holds out sku-4.
    # popularity ranks sku-5 (purchase 5 + view) then sku-1: two misses.
    # Content: sku-2 is u1's closest, sku-4 u2's: two hits at rank 1.
    assert by_name["popularity"]["metrics"]["hit_rate"]["value"] == 0.0
    assert by_name["content"]["metrics"]["ndcg"] == {
        "value": 1.0,
        "low": 1.0,
        "high": 1.0,
    }
    # Too few shoppers to tune: the configured defaults, and it says so.
    validation = by_name["blend (tuned)"]["validation"]
    assert validation["tuned"] is False
    assert by_name["blend (tuned)"]["weights"] == settings.RECOMMEND["PERSONAL"]


def test_the_table_shows_intervals_and_given_weights(tmp_path, capsys):
    run(tmp_path, ITEMS_CSV, INTERACTIONS_CSV, "--weights", "content=1,next=0.5")

    output = capsys.readouterr().out.splitlines()
    assert output[1] == "last-out over 2 shoppers, full catalog ranking"
    assert output[2].split() == ["model", "HR@10", "NDCG@10", "MAP@10", "cov@10"]
    given = next(line for line in output if line.startswith("blend (given)"))
    assert given.count("[") == 4


@pytest.mark.parametrize(
    ("items", "interactions", "message"),
    [
        (
            ITEMS_CSV,
            INTERACTIONS_CSV.replace(
                "u1,sku-2,2026-01-02T10:00:00,view", "u1,sku-9,1,view"
            ),
            "interactions.csv, row 4, column 'item': 'sku-9' is not in the items CSV",
        ),
        (
            ITEMS_CSV,
            INTERACTIONS_CSV.replace("u3,sku-5,1767261600,purchase", "u3,sku-5,1,like"),
            "interactions.csv, row 9, column 'kind': 'like' is not one of view, "
            "cart_add, purchase, review",
        ),
        (
            ITEMS_CSV,
            INTERACTIONS_CSV.replace("1767261600", "yesterday"),
            "interactions.csv, row 9, column 'timestamp': 'yesterday' is neither "
            "Unix seconds nor ISO 8601",
        ),
        (
            ITEMS_CSV.replace("sku-2,", "sku-1,"),
            INTERACTIONS_CSV,
            "items.csv, row 3, column 'id': 'sku-1' is also on row 2",
        ),
        (
            ITEMS_CSV.replace(",100", ",cheap"),
            INTERACTIONS_CSV,
            "items.csv, row 2, column 'price': 'cheap' is not a number",
        ),
        (
            ITEMS_CSV,
            "user,item\nu1,sku-1\n",
            "interactions.csv, row 1, column 'timestamp': missing from the header",
        ),
    ],
)
def test_bad_cells_are_named_by_row_and_column(tmp_path, items, interactions, message):
    with pytest.raises(CommandError) as error:
        run(tmp_path, items, interactions)
    assert str(error.value) == message


def test_fields_of_any_length_are_read(tmp_path, capsys):
    long_text = "leather " * 40_000  # 320,000 characters: over csv's default limit
    items = ITEMS_CSV.replace("sku-1,Red boot,", f'sku-1,"Red boot {long_text}",')

    run(tmp_path, items, INTERACTIONS_CSV, "--format", "json")

    assert json.loads(capsys.readouterr().out)["protocol"]["items"] == 5


def test_help_documents_both_csv_formats(capsys):
    with pytest.raises(SystemExit):
        call_command("recommend", "evaluate", "--help")

    text = capsys.readouterr().out
    assert "items CSV (header row; only id is required" in text
    assert "interactions CSV (header row):" in text
    assert "--label-column" in text


def test_evaluate_needs_both_files(tmp_path):
    with pytest.raises(CommandError, match="both --items and --interactions"):
        call_command("recommend", "evaluate", "--items", str(tmp_path / "x.csv"))


def test_similar_needs_a_label_column(tmp_path):
    with pytest.raises(CommandError, match="--similar needs --label-column"):
        run(tmp_path, ITEMS_CSV, INTERACTIONS_CSV, "--similar")


def chain_walkers() -> Interactions:
    """120 shoppers walk a chain of items (each goes on to the next one) from
    a random start."""
    rng = np.random.default_rng(3)
    rows = []
    for shopper in range(120):
        start = int(rng.integers(0, 30))
        for step in range(5):
            rows.append((shopper, (start + step) % 40, "view", shopper * 100.0 + step))
    return events(*rows)


def test_the_tuned_blend_beats_popularity_on_sequential_shoppers(settings):
    # the last step is what each shopper is evaluated on
    items = [Item(id=number, title=f"item {number}") for number in range(40)]
    config = {**settings.RECOMMEND, "TUNE_MIN_SHOPPERS": 50}

    report = evaluate(items, chain_walkers(), config, k=5)

    popularity = report.model("popularity").metrics["ndcg"].value
    tuned = report.model("blend (tuned)")
    assert tuned.settings["validation"]["tuned"] is True
    assert tuned.settings["weights"]["next"] > 0
    assert tuned.metrics["ndcg"].value > 0.9 > 0.3 > popularity


def apparel_with_reviews(seed: int) -> tuple[list[Item], list[str]]:
    """A small real-shaped catalog: no categories, generic review titles
    shared by many products, a three-valued rating, and free-text reviews
    whose words tell the product's class."""
    rng = np.random.default_rng(seed)
    words = {
        "dress": "dress skirt hem flowy waist length twirl",
        "jeans": "jeans denim inseam stretch pockets ankle rise",
        "sweater": "sweater knit cozy warm wool sleeves itchy",
        "blouse": "blouse sheer buttons collar silky office tucked",
    }
    common = "love it great fit size ordered color fabric perfect wear".split()
    titles = ["Love it!", "Great", "Perfect", "So cute", ""]
    items, labels = [], []
    for number in range(80):
        label = list(words)[number % 4]
        own = words[label].split()
        text = " ".join(
            rng.choice(own) if rng.random() < 0.06 else rng.choice(common)
            for _ in range(60)
        )
        items.append(
            Item(
                id=number,
                title=str(rng.choice(titles)),
                description=text,
                rating=float(rng.choice([3.0, 4.0, 5.0])),
            )
        )
        labels.append(label)
    return items, labels


def test_similar_products_keep_the_text_signal(settings):
    items, labels = apparel_with_reviews(seed=5)
    # shoppers who each like a few products at random: popularity and
    # co-occurrence that know nothing of the classes
    rng = np.random.default_rng(6)
    rows = [
        (shopper, int(item), "view", float(step))
        for shopper in range(60)
        for step, item in enumerate(rng.choice(80, size=4, replace=False))
    ]

    report = evaluate_similar(items, labels, events(*rows), settings.RECOMMEND, k=10)

    agreement = {m.name: m.metrics["agreement"].value for m in report.models}
    assert report.protocol["evaluated_items"] == 80
    assert agreement["content"] >= agreement["plain TF-IDF"]
    # plain TF-IDF: 0.54 (generic titles), content 0.97, served the same
    assert agreement["content"] >= agreement["plain TF-IDF"] + 0.3
    assert agreement["served"] >= agreement["content"]


def test_a_random_split_is_tuned_on_a_random_validation_split(settings):
    items = [Item(id=number, title=f"item {number}") for number in range(40)]
    config = {**settings.RECOMMEND, "TUNE_MIN_SHOPPERS": 50}

    report = evaluate(items, chain_walkers(), config, k=5, split="random", seed=2)

    assert report.protocol["split"] == "random"
    assert report.protocol["shoppers"] == 120
    tuned = report.model("blend (tuned)")
    assert tuned.settings["validation"]["tuned"] is True
    # any step of a chain is next to two others: co-occurrence knows them all
    assert (
        tuned.metrics["hit_rate"].value
        > report.model("popularity").metrics["hit_rate"].value
    )
