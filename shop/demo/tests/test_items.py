import numpy as np

from recommend.features import build_features
from recommend.similarity import top_k_rows
from recommend.training import blocks
from shop.demo.catalog import LEAF_BY_SLUG
from shop.demo.items import demo_items


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
