import numpy as np

from recommend.training import popular_fields


def test_popular_lists_hold_each_category_subtree_best_first():
    # given products in a tree (1: shoes > 2: boots, 3: sneakers) and one
    # product without a category; equal popularity keeps catalog order
    ids = np.array([10, 11, 12, 13, 14])
    raw = np.array([1.0, 5.0, 3.0, 5.0, 9.0])
    categories = [(1, 2), (1, 3), (1, 2), (1, 2), ()]

    fields = popular_fields(ids, raw, categories, limit=2)

    assert fields == {
        "popular": "14:9.0000,11:5.0000",
        "popular:1": "11:5.0000,13:5.0000",
        "popular:2": "13:5.0000,12:3.0000",
        "popular:3": "11:5.0000",
    }


def test_an_empty_catalog_has_an_empty_popular_list():
    assert popular_fields(np.array([], dtype=np.int64), np.array([]), [], 5) == {
        "popular": ""
    }
