"""The demo catalog generator's products as recommender records (`Item`s),
without a database.

The benchmark trains on these, and tests check similar products on the same
catalog that `seed_demo` writes (same generator, same seed). Here, not in
recommend, because the demo app sits above the recommender in the package graph.
"""

import random

from recommend.features import Item
from shop.demo.catalog import LEAF_BY_SLUG, ProductSpec, generate_products


def product_type(spec: ProductSpec) -> str:
    """The noun of "<brand> <adjective> <noun>" (a product type, e.g. "Polo")."""
    return spec.title[len(spec.brand) + 1 :].split(" ", 1)[1]


def spec_item(spec: ProductSpec, item_id: int, with_product_type: bool = False) -> Item:
    leaf = LEAF_BY_SLUG[spec.leaf]
    path = (leaf.parent, leaf.title)
    return Item(
        id=item_id,
        title=spec.title,
        description=spec.description,
        # Large catalogs have a deeper tree; the product type is its next level.
        category_path=(*path, product_type(spec)) if with_product_type else path,
        gender=spec.gender,
        brand=spec.brand,
        colors=spec.colors,
        materials=(spec.material,),
        sizes=spec.sizes,
        tags=spec.tags,
        price=float(spec.price),
        rating=None,
    )


def demo_items(
    count: int, seed: str = "42:catalog", with_product_type: bool = False
) -> tuple[list[ProductSpec], list[Item]]:
    """`count` products of the demo generator (seed_demo's default seed) as items
    numbered from 1."""
    specs = generate_products(random.Random(seed), count)
    return specs, [
        spec_item(spec, number, with_product_type)
        for number, spec in enumerate(specs, start=1)
    ]
