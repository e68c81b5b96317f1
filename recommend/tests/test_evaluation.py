import math

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recommend.collaborative import Interactions
from recommend.evaluation import evaluate, leave_last_out
from recommend.features import Item

ITEMS_CSV = """id,title,category,gender,colors,price
1,Red boot,Shoes > Boots,women,Red,100
2,Red boot tall,Shoes > Boots,women,Red,110
3,Blue sneaker,Shoes > Sneakers,men,Blue,60
4,Blue sneaker low,Shoes > Sneakers,men,Blue,55
5,Green hat,Accessories > Hats,unisex,Green,20
"""
# u1 and u2 hold out their last new item; u3 has one item only (not evaluated)
INTERACTIONS_CSV = """user,item,timestamp,kind
u1,1,2026-01-01T10:00:00,view
u1,1,2026-01-01T10:05:00,purchase
u1,2,2026-01-02T10:00:00,view
u2,3,2026-01-01T09:00:00,view
u2,5,2026-01-01T09:30:00,view
u2,4,2026-01-03T09:00:00,view
u2,3,2026-01-04T09:00:00,view
u3,5,2026-01-02T12:00:00,purchase
"""


def events(*rows) -> Interactions:
    shopper, item, kind, at = zip(*rows, strict=True)
    return Interactions(
        np.array(shopper), np.array(item), np.array(kind, dtype=object), np.array(at)
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
    assert sorted(train) == [
        (0, 0),
        (1, 2),
    ]


def test_metrics_on_a_hand_made_example(tmp_path, settings, capsys):
    # given five items and two evaluated shoppers
    (tmp_path / "items.csv").write_text(ITEMS_CSV)
    (tmp_path / "interactions.csv").write_text(INTERACTIONS_CSV)
    settings.RECOMMEND = {
        **settings.RECOMMEND,
        "FIELD_WEIGHTS": {"category": 1.0, "gender": 1.0, "colors": 1.0},
        "BLEND": {"content": 1.0, "cooccurrence": 0.0, "popularity": 0.0},
    }

    # when
    call_command(
        "recommend",
        "evaluate",
        "--items",
        str(tmp_path / "items.csv"),
        "--interactions",
        str(tmp_path / "interactions.csv"),
        "--k",
        "2",
    )

    # then u1 (seen 1) holds out 2; u2 (seen 3, 5) holds out 4.
    # popularity ranks 5 (purchase) then 1: u1 gets [5, 3] (a miss), u2 [1, 2]
    # (a miss). Content: item 2 is u1's closest (rank 1), item 4 u2's (rank 1).
    # Co-occurrence has nothing else in common with the seen items: ties go to
    # the lowest item, u1 gets [2, 3] (rank 1) and u2 [1, 2] (a miss).
    output = capsys.readouterr().out
    assert "leave-last-out over 2 shoppers" in output
    table = output.splitlines()[2:7]
    assert table == [
        "model              HR@2    NDCG@2    MAP@2    cov@2",
        "popularity       0.0000    0.0000   0.0000   0.8000",
        "content          1.0000    1.0000   1.0000   0.8000",
        "co-occurrence    0.5000    0.5000   0.5000   0.6000",
        "blend            1.0000    1.0000   1.0000   0.8000",
    ]


def test_ndcg_and_map_for_a_hit_at_rank_two(settings):
    # one shopper saw item 0, holds out item 2; popularity puts 1 before 2
    history = events(
        (0, 0, "view", 1.0),
        (0, 2, "view", 5.0),
        (1, 1, "purchase", 2.0),
        (2, 1, "purchase", 2.0),
        (3, 2, "view", 2.0),
    )
    items = [Item(id=number, title=f"item {number}") for number in range(4)]

    results, shoppers = evaluate(items, history, settings.RECOMMEND, k=2)

    assert shoppers == 1
    assert results["popularity"].hit_rate == 1.0
    assert results["popularity"].ndcg == pytest.approx(1 / math.log2(3))
    assert results["popularity"].map == 0.5
    assert results["popularity"].coverage == 0.5


def test_evaluate_needs_both_files(tmp_path):
    with pytest.raises(CommandError, match="both --items and --interactions"):
        call_command("recommend", "evaluate", "--items", str(tmp_path / "x.csv"))
