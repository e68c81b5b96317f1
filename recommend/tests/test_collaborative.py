import numpy as np
from scipy import sparse

from recommend.collaborative import (
    Interactions,
    blend_lists,
    cooccurrence,
    history_matrix,
    popularity,
    scaled_popularity,
    sparse_top_k,
    transitions,
)

DAY = 86400.0
KINDS = {"view": 1.0, "cart_add": 3.0, "purchase": 5.0, "review": 2.0}


def events(*rows) -> Interactions:
    shopper, item, kind, at = zip(*rows, strict=True)
    return Interactions(
        shopper=np.array(shopper),
        item=np.array(item),
        kind=np.array(kind, dtype=object),
        at=np.array(at, dtype=float),
    )


def test_popularity_weighs_kinds_and_halves_per_half_life():
    history = events(
        (0, 0, "view", 10 * DAY),  # today: 1
        (0, 1, "purchase", 0.0),  # ten days ago, half-life ten days: 5 / 2
        (1, 1, "view", 10 * DAY),
    )

    scores = popularity(history, 3, now=10 * DAY, kind_weights=KINDS, half_life_days=10)

    assert scores.tolist() == [1.0, 3.5, 0.0]


def test_cooccurrence_shrinks_pairs_seen_by_few_shoppers():
    # two shoppers buy items 0 and 1 together, one buys 0 and 2
    history = events(
        (0, 0, "purchase", 1.0),
        (0, 1, "purchase", 1.0),
        (1, 0, "purchase", 1.0),
        (1, 1, "purchase", 1.0),
        (2, 0, "purchase", 1.0),
        (2, 2, "purchase", 1.0),
    )

    matrix = cooccurrence(history, 3, KINDS, shrink=2.0).toarray().astype(float)

    # cosines 2/sqrt(3*2) and 1/sqrt(3*1), kept at 2/(2+2) and 1/(1+2)
    assert round(matrix[0, 1], 4) == 0.4082
    assert round(matrix[0, 2], 4) == 0.1925


def test_cooccurrence_is_the_cosine_of_the_strongest_interest():
    # shopper 0: views item 0 twice and buys item 1; shopper 1: views 0 and 2
    history = events(
        (0, 0, "view", 1.0),
        (0, 0, "view", 2.0),
        (0, 1, "purchase", 3.0),
        (1, 0, "view", 4.0),
        (1, 2, "view", 5.0),
    )

    matrix = cooccurrence(history, 4, KINDS).toarray().astype(float)

    # item 0 = (1, 1), item 1 = (5, 0), item 2 = (0, 1) over the two shoppers
    assert np.round(matrix, 4).tolist() == [
        [0.0, 0.7071, 0.7071, 0.0],
        [0.7071, 0.0, 0.0, 0.0],
        [0.7071, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
    ]
    neighbours, _ = sparse_top_k(sparse.csr_matrix(matrix), 2)
    assert neighbours.tolist() == [[1, 2], [0, -1], [0, -1], [-1, -1]]


def test_blend_weighs_each_signal_after_scaling():
    # row 0: content likes 1 (0.8) and 2 (0.4); co-occurrence likes 2 (0.6) and
    # 3 (0.5); item 3 is the most popular
    content = (np.array([[1, 2]]), np.array([[0.8, 0.4]]))
    cooccur = (np.array([[2, 3]]), np.array([[0.6, 0.5]]))
    popular = scaled_popularity(np.array([0.0, 0.0, 0.0, 10.0]))

    neighbours, scores = blend_lists(
        {"content": content, "cooccurrence": cooccur},
        popular,
        {"content": 0.5, "cooccurrence": 0.3, "popularity": 0.2},
        k=3,
        rows=np.array([0]),
    )

    # content scaled to its best: 1: 1, 2: 0.5; co-occurrence (a shrunk
    # cosine) as it is. 1: 0.5*1 = 0.5; 2: 0.5*0.5 + 0.3*0.6 = 0.43;
    # 3: 0.3*0.5 + 0.2*1 = 0.35
    assert neighbours.tolist() == [[1, 2, 3]]
    assert [round(float(score), 4) for score in scores[0]] == [0.5, 0.43, 0.35]


def test_blend_never_lists_the_row_itself_and_pads_short_rows():
    content = (np.array([[0, 1], [-1, -1]]), np.array([[0.9, 0.5], [0.0, 0.0]]))

    neighbours, scores = blend_lists(
        {"content": content}, np.zeros(3), {"content": 1.0}, k=2
    )

    # scaled by the row's best (0.9) before the row itself is dropped
    assert neighbours.tolist() == [[1, -1], [-1, -1]]
    assert np.round(scores.astype(float), 4).tolist() == [[0.5556, 0.0], [0.0, 0.0]]


def test_transitions_count_what_came_next_within_the_window():
    # shopper 0: 0 -> 1 -> 2 (0 again later: not a new step); shopper 1: 0 -> 2
    history = events(
        (0, 0, "view", 1.0),
        (0, 1, "view", 2.0),
        (0, 0, "view", 2.5),
        (0, 2, "view", 3.0),
        (1, 0, "view", 1.0),
        (1, 2, "view", 2.0),
    )

    matrix = transitions(history, 3, window=2, gap_decay=0.5).toarray().astype(float)

    # counts: 0->1 1, 0->2 1 + 0.5 (two steps), 1->2 1; then divided by
    # sqrt(out(i) * in(j)): out 0 = 2.5, out 1 = 1; in 1 = 1, in 2 = 2.5
    assert np.round(matrix, 4).tolist() == [
        [0.0, round(1 / np.sqrt(2.5), 4), round(1.5 / 2.5, 4)],
        [0.0, 0.0, round(1 / np.sqrt(2.5), 4)],
        [0.0, 0.0, 0.0],
    ]


def test_history_weighs_the_newest_item_most():
    history = events(
        (7, 0, "view", 1.0),
        (7, 1, "purchase", 2.0),
        (7, 2, "view", 3.0),
        (7, 0, "view", 5.0),  # back to item 0: now the newest
    )

    matrix = history_matrix(
        history, np.array([7]), 3, KINDS, half_life_items=1.0, limit=2
    ).toarray()

    # newest first: 0 (view, 1), then 2 (view, one item back: 0.5); the
    # purchase of 1 is beyond the limit of two items
    assert np.round(matrix, 4).tolist() == [
        [round(1 / 1.5, 4), 0.0, round(0.5 / 1.5, 4)]
    ]
