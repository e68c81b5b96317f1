import numpy as np
from scipy import sparse

from recommend.personal import Candidates


def test_candidate_ranks_match_a_dense_ranking_with_half_ties():
    # 30 shoppers, 12 items; history and two signals at random, integers so
    # that ties happen
    rng = np.random.default_rng(4)
    count, shoppers = 12, 30
    history = sparse.random(shoppers, count, density=0.15, random_state=1, format="csr")
    history.data = np.ceil(history.data * 2)
    signals = {
        name: sparse.random(count, count, density=0.2, random_state=seed, format="csr")
        for seed, name in enumerate(("next", "content"))
    }
    for matrix in signals.values():
        matrix.data = np.ceil(matrix.data * 3)
    popular = rng.integers(0, 3, size=count).astype(float)
    targets = rng.integers(0, count, size=shoppers)
    weights = {"next": 1.0, "content": 0.5, "popularity": 2.0}

    found = Candidates.build(history, signals).ranks(weights, popular, targets)

    dense = sum(weights[name] * (history @ m).toarray() for name, m in signals.items())
    dense = dense + weights["popularity"] * popular
    expected = []
    for row, target in enumerate(targets):
        rivals = np.ones(count, dtype=bool)
        rivals[history[row].indices] = False
        rivals[target] = False
        score = dense[row, target]
        expected.append(
            1
            + (dense[row, rivals] > score).sum()
            + 0.5 * (dense[row, rivals] == score).sum()
        )
    assert found.tolist() == expected
