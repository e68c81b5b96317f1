import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

from cms.demo.catalog import LEAF_BY_SLUG
from recommend.features import build_features
from recommend.similarity import (
    cap_blocks,
    dense_top_k,
    nested_blocks,
    shard_rows,
    top_k_rows,
)
from recommend.synthetic import demo_items
from recommend.training import blocks


def random_features(rows: int, columns: int, seed: int = 7) -> sparse.csr_matrix:
    matrix = sparse.random(
        rows, columns, density=0.1, random_state=seed, dtype=np.float32
    )
    return normalize(matrix.tocsr()).astype(np.float32)


def test_one_block_gives_the_dense_baseline():
    # given one block holding every row
    features = random_features(300, 40)
    labels = np.zeros(300, dtype=np.int64)

    # when
    neighbours, scores = top_k_rows(features, labels, np.arange(300), 10)

    # then the same scores as the full N x N matrix, self excluded
    expected_neighbours, expected_scores = dense_top_k(features, 10)
    assert np.allclose(scores, expected_scores, atol=1e-5)
    assert not (neighbours == np.arange(300)[:, None]).any()
    assert (neighbours[:, 0] == expected_neighbours[:, 0]).mean() > 0.99


def test_rows_only_meet_their_block_and_short_blocks_are_padded():
    features = random_features(6, 10)
    labels = np.array([0, 0, 0, 1, 1, 2])

    neighbours, scores = top_k_rows(features, labels, np.arange(6), 3)

    assert set(neighbours[0, :2]) == {1, 2} and neighbours[0, 2] == -1
    assert set(neighbours[3, :1]) == {4} and list(neighbours[3, 1:]) == [-1, -1]
    assert list(neighbours[5]) == [-1, -1, -1]
    assert list(scores[5]) == [0.0, 0.0, 0.0]


def test_blocks_are_refined_only_where_too_large():
    keys = [
        ("Shoes", "Boots", "men"),
        ("Shoes", "Boots", "women"),
        ("Shoes", "Sneakers", "men"),
        ("Shoes", "Sneakers", "men"),
        ("Bags", "Totes", "women"),
    ]

    # with room for three, Shoes splits by subcategory, Bags stays whole
    labels = nested_blocks(keys, max_size=3)

    assert labels[0] == labels[1] != labels[2] == labels[3] != labels[4]
    assert len(set(nested_blocks(keys, max_size=4).tolist())) == 2
    assert len(set(nested_blocks(keys, max_size=1).tolist())) == 4


def test_capped_blocks_hold_at_most_the_cap():
    features = random_features(1000, 30)
    labels = np.zeros(1000, dtype=np.int64)

    capped = cap_blocks(features, labels, max_size=300)

    assert np.bincount(capped).max() <= 300
    assert len(np.unique(capped)) == 4


def test_shards_cover_every_row_once_with_equal_work():
    labels = np.repeat(np.arange(10), np.arange(1, 11) * 20)

    shards = [shard_rows(labels, shard, 3) for shard in range(3)]

    assert sorted(np.concatenate(shards).tolist()) == list(range(len(labels)))
    work = [np.bincount(labels)[labels[rows]].sum() for rows in shards]
    assert max(work) / min(work) < 1.1


def test_similar_products_of_the_demo_catalog_are_sensible(settings):
    # given seed_demo's catalog (default seed, 100 products)
    specs, items = demo_items(100)
    features = build_features(items, settings.RECOMMEND["FIELD_WEIGHTS"])
    labels = blocks(items, features, settings.RECOMMEND["MAX_BLOCK_SIZE"])

    # when
    neighbours, _ = top_k_rows(features, labels, np.arange(100), 5)

    # then all of the top 5 share the department (blocks), most share the
    # subcategory (a random pick does 9%) and fit the gender (same, or unisex)
    pairs = [
        (specs[row], specs[other]) for row in range(100) for other in neighbours[row]
    ]
    same_category = np.mean([a.leaf == b.leaf for a, b in pairs])
    same_department = np.mean(
        [LEAF_BY_SLUG[a.leaf].parent == LEAF_BY_SLUG[b.leaf].parent for a, b in pairs]
    )
    fitting_gender = np.mean(
        [a.gender == b.gender or "unisex" in (a.gender, b.gender) for a, b in pairs]
    )
    assert len(pairs) == 500
    assert same_category >= 0.8
    assert same_department == 1.0
    assert fitting_gender >= 0.8
    # The first product, a men's bomber jacket, gets outerwear for men.
    assert specs[0].title == "Kestrel Urban Bomber"
    assert {(specs[other].leaf, specs[other].gender) for other in neighbours[0]} == {
        ("outerwear", "men")
    }
