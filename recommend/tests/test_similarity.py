import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

from recommend.similarity import (
    cap_blocks,
    dense_top_k,
    nested_blocks,
    shard_rows,
    top_k_rows,
)


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
