"""A large catalog in a real database, seeded with COPY (for the worker benchmark).

`seed_demo` adds pages a few queries at a time (about 3 minutes for 10,000
products); a million needs bulk writes. After a small `seed_demo` (the category
tree, a home page), `seed_catalog` adds:

- one category page per product type under each leaf (Clothing > Tops > Polo),
  the tree a catalog of that size would have (`bench/recommend_train.py`
  blocks its in-memory catalog the same way);
- `count` live product pages from the demo generator (titles, HTML
  descriptions, brand, gender, material, colors, sizes, tags, prices), as
  `wagtailcore_page` and `cms_productpage` rows with treebeard paths under
  their product-type page, published now;
- one active variant per color and size (as `seed_demo`), and the tags;
- `count // 5` anonymous shoppers with 8 views each, each a few products on
  from the last one within 30 days (the interactions of
  `bench/recommend_train.py`'s synthetic shoppers).

No images, stock, reviews or search index: training does not read them. Rows
go in with COPY, a chunk of products at a time (the generator's memory stays
that of one chunk).
"""

import io
import random
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

import numpy as np
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Page

from cms.models import CategoryPage, ProductPage
from shop.demo.catalog import COLOR_BY_NAME, LEAVES, generate_products
from shop.demo.items import product_type

CHUNK = 50_000
EVENTS_PER_SHOPPER = 8
PRODUCTS_PER_SHOPPER = 5
HISTORY_DAYS = 30

PAGE_COLUMNS = (
    "id, path, depth, numchild, title, slug, live, has_unpublished_changes, "
    "url_path, seo_title, show_in_menus, search_description, expired, "
    "content_type_id, locked, first_published_at, last_published_at, "
    "draft_title, translation_key, locale_id"
)
PRODUCT_COLUMNS = (
    "page_ptr_id, description, brand, gender, material, rating_average, "
    "rating_count, popularity"
)
VARIANT_COLUMNS = (
    "sku, size, color, price, compare_at_price, currency, weight_kg, is_active, "
    "product_id"
)


def _field(value) -> str:
    if value is None:
        return r"\N"
    return (
        str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
    ).replace("\r", " ")


def _copy(table: str, columns: str, rows: Iterable[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_field(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _type_pages() -> dict[tuple[str, str], CategoryPage]:
    """A category page per leaf and product type, created when missing."""
    pages = {}
    for leaf in LEAVES:
        parent = CategoryPage.objects.get(slug=leaf.slug)
        for noun in leaf.nouns:
            slug = f"{leaf.slug}-{slugify(noun)}"
            page = CategoryPage.objects.filter(slug=slug).first()
            if page is None:
                page = parent.add_child(instance=CategoryPage(title=noun, slug=slug))
            pages[leaf.slug, noun] = page
    return pages


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def _sync_sequences() -> None:
    with connection.cursor() as cursor:
        for table in ("wagtailcore_page", "cms_variant", "cms_producttag"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )


def seed_catalog(count: int, log=print) -> list[int]:
    """Add `count` products (and their shoppers); their page ids, in order."""
    type_pages = _type_pages()
    positions = {
        key: (page.get_last_child()._get_lastpos_in_path() if page.numchild else 0)
        for key, page in type_pages.items()
    }
    content_type = ContentType.objects.get_for_model(ProductPage).pk
    locale = Page.objects.get(pk=next(iter(type_pages.values())).pk).locale_id
    tag_ids = {tag.name: tag.pk for tag in Tag.objects.all()}
    now = timezone.now()
    page_id = _next_id("wagtailcore_page")
    product_ids = []
    with transaction.atomic():
        for chunk_start in range(0, count, CHUNK):
            size = min(CHUNK, count - chunk_start)
            specs = generate_products(random.Random(f"bench:{chunk_start}"), size)
            pages, products, variants, tags = [], [], [], []
            for spec in specs:
                noun = product_type(spec)
                parent = type_pages[spec.leaf, noun]
                positions[spec.leaf, noun] += 1
                path = Page._get_path(
                    parent.path, parent.depth + 1, positions[spec.leaf, noun]
                )
                slug = f"{spec.slug}-{chunk_start // CHUNK}"
                pages.append(
                    (
                        page_id,
                        path,
                        parent.depth + 1,
                        0,
                        spec.title,
                        slug,
                        "t",
                        "f",
                        f"{parent.url_path}{slug}/",
                        "",
                        "f",
                        "",
                        "f",
                        content_type,
                        "f",
                        now.isoformat(),
                        now.isoformat(),
                        spec.title,
                        uuid.uuid4(),
                        locale,
                    )
                )
                products.append(
                    (page_id, spec.description, spec.brand, spec.gender)
                    + (spec.material, "0.00", 0, 0.0)
                )
                for color in spec.colors:
                    for variant_size in spec.sizes:
                        variants.append(
                            (
                                f"B{page_id}-{COLOR_BY_NAME[color].code}-"
                                f"{variant_size}",
                                variant_size,
                                color,
                                spec.price,
                                spec.compare_at_price,
                                settings.DEFAULT_CURRENCY,
                                spec.weight_kg,
                                "t",
                                page_id,
                            )
                        )
                for name in spec.tags:
                    if name not in tag_ids:
                        tag_ids[name] = Tag.objects.create(name=name, slug=name).pk
                    tags.append((page_id, tag_ids[name]))
                product_ids.append(page_id)
                page_id += 1
            _copy("wagtailcore_page", PAGE_COLUMNS, pages)
            _copy("cms_productpage", PRODUCT_COLUMNS, products)
            _copy("cms_variant", VARIANT_COLUMNS, variants)
            _copy("cms_producttag", "content_object_id, tag_id", tags)
            log(
                f"  products {chunk_start + size:,}/{count:,} "
                f"({len(variants):,} variants in the last chunk)"
            )
        for (leaf, noun), page in type_pages.items():
            Page.objects.filter(pk=page.pk).update(numchild=positions[leaf, noun])
        _sync_sequences()
        _seed_interactions(product_ids, now.timestamp(), log)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return product_ids


def _seed_interactions(product_ids: list[int], now: float, log) -> None:
    products = np.array(product_ids, dtype=np.int64)
    shoppers = len(products) // PRODUCTS_PER_SHOPPER
    rng = np.random.default_rng(7)
    starts = rng.integers(0, len(products), size=shoppers)
    steps = rng.integers(1, 20, size=(shoppers, EVENTS_PER_SHOPPER))
    steps[:, 0] = 0
    rows = (starts[:, None] + np.cumsum(steps, axis=1)) % len(products)
    began = now - rng.uniform(0, HISTORY_DAYS * 86400, shoppers)
    for start in range(0, shoppers, CHUNK):
        end = min(start + CHUNK, shoppers)
        _copy(
            "recommend_interaction",
            "session_id, kind, created_at, product_id",
            (
                (
                    f"bench-{shopper}",
                    "view",
                    datetime.fromtimestamp(began[shopper] + 60 * step, UTC),
                    int(products[rows[shopper, step]]),
                )
                for shopper in range(start, end)
                for step in range(EVENTS_PER_SHOPPER)
            ),
        )
    log(f"  interactions {shoppers * EVENTS_PER_SHOPPER:,} of {shoppers:,} shoppers")
