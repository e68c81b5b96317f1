"""Writes the demo data: catalog pages, images, shoppers, reviews and interactions.

Everything is drawn in memory first (from random streams derived from the seed, one
per part, so that e.g. more shoppers do not change the catalog), then written with
bulk inserts inside one transaction.
"""

import random
import string
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import router, transaction
from django.db.models import Q
from taggit.models import Tag
from wagtail.images.models import Image
from wagtail.models import Collection, Page, Site

from cms import readmodel
from cms.models import (
    CategoryPage,
    HomePage,
    LandingPage,
    ProductCollection,
    ProductCollectionItem,
    ProductImage,
    ProductPage,
    ProductTag,
    Review,
    ReviewStatus,
    Variant,
)
from recommend.models import Interaction
from shop.demo import images as demo_images
from shop.demo.catalog import (
    COLOR_BY_NAME,
    LEAF_BY_SLUG,
    LEAVES,
    TOP_CATEGORIES,
    ProductSpec,
    generate_products,
    rating_average,
)
from shop.demo.pagetree import bulk_add_children
from shop.demo.search import index_objects, remove_model_from_index
from shop.demo.shoppers import (
    DEMO_EMAIL_DOMAIN,
    PERIOD_DAYS,
    EventSpec,
    ReviewSpec,
    ShopperSpec,
    generate_history,
    generate_shoppers,
    popularity,
)
from shop.stock.models import Stock

DEMO_PASSWORD = "demo-shopper-1"
BATCH_SIZE = 1000
PROGRESS_EVERY = 2000
COLLECTION_SIZE = 12

Log = Callable[[str], None]


@dataclass
class DemoData:
    """What was generated; the shoppers' tastes are only known from here."""

    products: list[ProductSpec]
    shoppers: list[ShopperSpec]
    events: list[EventSpec]
    reviews: list[ReviewSpec]
    product_ids: list[int]
    user_ids: list[int]


def demo_exists() -> bool:
    return (
        ProductPage.objects.exists()
        or get_user_model()
        .objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .exists()
    )


@contextmanager
def _phase(log: Log, name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    log(f"{name}: {time.perf_counter() - started:.1f} s")


def _progress(log: Log, label: str, done: int, step: int, total: int) -> None:
    """Log "label done/total" when `done` (just increased by `step`) passes a mark."""
    if done == total or done // PROGRESS_EVERY > (done - step) // PROGRESS_EVERY:
        log(f"  {label} {done}/{total}")


def _chunks(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk_create_logged(objs: list, label: str, log: Log) -> None:
    done = 0
    for chunk in _chunks(objs):
        type(chunk[0]).objects.bulk_create(chunk)
        done += len(chunk)
        _progress(log, label, done, len(chunk), len(objs))


def delete_demo(log: Log) -> None:
    """Delete the catalog (every home page tree), collections and demo shoppers.

    Product pages and their own rows go with raw deletes: Django's cascade would
    send Wagtail's per-object signals (unpublish, log, reindex) for each of them,
    which takes minutes for a large catalog. Rows of other apps that still point
    at them make the delete fail (and roll back) instead of vanishing silently.
    """
    users = get_user_model().objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
    with _phase(log, "delete demo data"):
        Interaction.objects.filter(
            Q(user__in=users) | Q(product__in=ProductPage.objects.all())
        ).delete()
        Review.objects.all().delete()
        Stock.objects.filter(variant__product__in=ProductPage.objects.all()).delete()
        Variant.objects.all().delete()
        using = router.db_for_write(ProductPage)
        for queryset in (
            ProductCollectionItem.objects.all(),
            ProductImage.objects.all(),
            ProductTag.objects.all(),
            ProductPage.objects.all(),
            Page.objects.filter(
                content_type=ContentType.objects.get_for_model(ProductPage)
            ),
        ):
            queryset._raw_delete(using=using)
        remove_model_from_index(ProductPage)
        ProductCollection.objects.all().delete()
        for home in HomePage.objects.all():
            # The stale child counts do not matter: the whole tree goes.
            home.delete()
        users.delete()
        demo_collection = Collection.objects.filter(
            name=demo_images.DEMO_IMAGE_COLLECTION
        ).first()
        if demo_collection:
            Image.objects.filter(collection=demo_collection).delete()
            demo_collection.delete()


def seed_demo(
    *,
    products: int,
    shoppers: int,
    events_per_shopper: int,
    seed: int,
    until: datetime,
    log: Log,
) -> DemoData:
    start = until - timedelta(days=PERIOD_DAYS)
    with _phase(log, "generate"):
        product_specs = generate_products(random.Random(f"{seed}:catalog"), products)
        shopper_specs = generate_shoppers(
            random.Random(f"{seed}:shoppers"), shoppers, start, until
        )
        events, reviews = generate_history(
            random.Random(f"{seed}:history"),
            shopper_specs,
            product_specs,
            events_per_shopper,
            start,
            until,
        )
        scores = popularity(events, len(product_specs), until)
    with transaction.atomic():
        home = _home_page()
        with _phase(log, "images"):
            tiles = _tile_images(product_specs)
        with _phase(log, "categories"):
            leaf_pages, top_pages = _categories(home, tiles)
        with _phase(log, "products"):
            pages = _products(
                product_specs, scores, reviews, leaf_pages, tiles, seed, log
            )
            product_ids = [page.pk for page in pages]
        with _phase(log, "search index"):
            _index_products(pages, log)
        with _phase(log, "shoppers"):
            user_ids = _shoppers(shopper_specs, seed)
        with _phase(log, "interactions and reviews"):
            _history(events, reviews, product_ids, user_ids, log)
        with _phase(log, "merchandising"):
            _merchandising(
                home, product_specs, product_ids, scores, top_pages, tiles, seed
            )
        # Bulk writes send no signals: every cached catalog read is stale.
        readmodel.tree_changed()
    log(f"Demo shoppers sign in with their email and the password {DEMO_PASSWORD}")
    return DemoData(
        product_specs, shopper_specs, events, reviews, product_ids, user_ids
    )


def _home_page() -> HomePage:
    """A HomePage at the site root, in place of Wagtail's welcome page."""
    root = Page.get_first_root_node()
    page_type = ContentType.objects.get_for_model(Page)
    for welcome in root.get_children().filter(content_type=page_type, numchild=0):
        welcome.delete()
    slug = "home"
    if root.get_children().filter(slug=slug).exists():
        slug = "shop-home"
    home = root.add_child(instance=HomePage(title="Home", slug=slug))
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        site.root_page = home
        site.save()
    else:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    return home


def _tile_images(products: list[ProductSpec]) -> dict[tuple[str, str], Image]:
    """One picture per (category, color) pair the catalog uses."""
    pairs = {(product.leaf, color) for product in products for color in product.colors}
    collection = demo_images.demo_collection()
    tiles = {
        (leaf, color): demo_images.build_tile_image(
            collection,
            f"{leaf}-{COLOR_BY_NAME[color].code.lower()}",
            LEAF_BY_SLUG[leaf].title,
            color,
            COLOR_BY_NAME[color].hex,
        )
        for leaf, color in sorted(pairs)
    }
    Image.objects.bulk_create(tiles.values())
    index_objects(Image, list(tiles.values()))
    return tiles


def _category_image(tiles, leaf_slugs: list[str]) -> Image | None:
    return next(
        (image for (leaf, _), image in sorted(tiles.items()) if leaf in leaf_slugs),
        None,
    )


def _categories(home: HomePage, tiles) -> tuple[dict[str, CategoryPage], dict]:
    leaf_pages, top_pages = {}, {}
    for top_title in TOP_CATEGORIES:
        leaves = [leaf for leaf in LEAVES if leaf.parent == top_title]
        top = home.add_child(
            instance=CategoryPage(
                title=top_title,
                slug=top_title.lower(),
                intro=f"<p>Everything in {top_title.lower()}, for every day.</p>",
                image=_category_image(tiles, [leaf.slug for leaf in leaves]),
            )
        )
        top_pages[top_title] = top
        for leaf in leaves:
            leaf_pages[leaf.slug] = top.add_child(
                instance=CategoryPage(
                    title=leaf.title,
                    slug=leaf.slug,
                    intro=f"<p>{leaf.title} in {', '.join(leaf.materials)}.</p>",
                    image=_category_image(tiles, [leaf.slug]),
                )
            )
    return leaf_pages, top_pages


def _products(specs, scores, reviews, leaf_pages, tiles, seed, log) -> list:
    """Insert product pages with their variants, stock, images and tags.

    Returns the pages, in the order of the specs.

    Ratings and popularity are known before insertion, from the generated history.
    """
    approved = defaultdict(list)
    for review in reviews:
        if review.status == ReviewStatus.APPROVED:
            approved[review.product].append(review.rating)
    pages = [
        ProductPage(
            title=spec.title,
            slug=spec.slug,
            description=spec.description,
            brand=spec.brand,
            gender=spec.gender,
            material=spec.material,
            rating_average=rating_average(approved[index]),
            rating_count=len(approved[index]),
            popularity=scores[index],
        )
        for index, spec in enumerate(specs)
    ]
    by_leaf = defaultdict(list)
    for page, spec in zip(pages, specs, strict=True):
        by_leaf[spec.leaf].append(page)
    done = 0
    for leaf in LEAVES:
        for chunk in _chunks(by_leaf[leaf.slug]):
            bulk_add_children(leaf_pages[leaf.slug], chunk)
            done += len(chunk)
            _progress(log, "products", done, len(chunk), len(specs))
    product_ids = [page.pk for page in pages]

    stock_rng = random.Random(f"{seed}:stock")
    variants, quantities = [], []
    for spec, product_id in zip(specs, product_ids, strict=True):
        sold_out = stock_rng.random() < 0.05
        for color in spec.colors:
            for size in spec.sizes:
                variants.append(
                    Variant(
                        product_id=product_id,
                        sku=f"{spec.sku_prefix}-{COLOR_BY_NAME[color].code}-{size}",
                        size=size,
                        color=color,
                        price=spec.price,
                        compare_at_price=spec.compare_at_price,
                        currency=settings.DEFAULT_CURRENCY,
                        weight_kg=spec.weight_kg,
                    )
                )
                in_stock = not sold_out and stock_rng.random() >= 0.1
                quantities.append(stock_rng.randint(1, 60) if in_stock else 0)
    _bulk_create_logged(variants, "variants", log)
    Stock.objects.bulk_create(
        [
            Stock(variant_id=variant.pk, quantity=quantity)
            for variant, quantity in zip(variants, quantities, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )
    ProductImage.objects.bulk_create(
        [
            ProductImage(
                product_id=product_id,
                image=tiles[(spec.leaf, color)],
                alt_text=f"{spec.title} in {color.lower()}",
                sort_order=position,
            )
            for spec, product_id in zip(specs, product_ids, strict=True)
            for position, color in enumerate(spec.colors)
        ],
        batch_size=BATCH_SIZE,
    )
    tag_names = sorted({name for spec in specs for name in spec.tags})
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in tag_names}
    tagged_items = []
    for page, spec in zip(pages, specs, strict=True):
        # Kept in memory on the page too, so indexing reads tags without queries.
        items = [ProductTag(content_object=page, tag=tags[name]) for name in spec.tags]
        page.tagged_items = items
        tagged_items.extend(items)
    ProductTag.objects.bulk_create(tagged_items, batch_size=BATCH_SIZE)
    return pages


def _index_products(pages: list[ProductPage], log: Log) -> None:
    done = 0
    for chunk in _chunks(pages):
        index_objects(ProductPage, chunk)
        done += len(chunk)
        _progress(log, "indexed", done, len(chunk), len(pages))


def _shoppers(specs: list[ShopperSpec], seed: int) -> list[int]:
    # One hash for all: hashing 200 passwords one by one would take minutes. The
    # salt comes from the seed too, so that the same seed gives the same rows.
    rng = random.Random(f"{seed}:password")
    salt = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))
    password = make_password(DEMO_PASSWORD, salt=salt)
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(
                email=spec.email,
                username=spec.email,
                first_name=spec.first_name,
                last_name=spec.last_name,
                date_joined=spec.date_joined,
                password=password,
            )
            for spec in specs
        ],
        batch_size=BATCH_SIZE,
    )
    return [user.pk for user in users]


def _history(events, reviews, product_ids, user_ids, log) -> None:
    interactions = [
        Interaction(
            user_id=None if event.shopper is None else user_ids[event.shopper],
            session_id=event.session_id,
            product_id=product_ids[event.product],
            kind=event.kind,
            created_at=event.at,
        )
        for event in events
    ]
    _bulk_create_logged(interactions, "interactions", log)
    rows = Review.objects.bulk_create(
        [
            Review(
                product_id=product_ids[review.product],
                user_id=user_ids[review.shopper],
                rating=review.rating,
                title=review.title,
                body=review.body,
                status=review.status,
            )
            for review in reviews
        ],
        batch_size=BATCH_SIZE,
    )
    # created_at is auto_now_add, so the history's dates are written afterwards.
    for row, review in zip(rows, reviews, strict=True):
        row.created_at = row.updated_at = review.at
    Review.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)


def _block_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _merchandising(home, specs, product_ids, scores, top_pages, tiles, seed) -> None:
    """Product collections, a landing page, and the home page's blocks."""
    rng = random.Random(f"{seed}:merchandising")
    by_popularity = sorted(range(len(specs)), key=lambda i: (-scores[i], i))

    def pick(indexes) -> list[int]:
        return [product_ids[i] for i in indexes][:COLLECTION_SIZE]

    collections = {}
    for slug, name, description, chosen in (
        ("bestsellers", "Bestsellers", "What shoppers love right now.", by_popularity),
        (
            "on-sale",
            "On sale",
            "Marked down for a short while.",
            [i for i in by_popularity if specs[i].compare_at_price],
        ),
        (
            "new-arrivals",
            "New arrivals",
            "Just landed in the shop.",
            [i for i in by_popularity if "new" in specs[i].tags],
        ),
        (
            "premium-picks",
            "Premium picks",
            "Our most considered pieces.",
            [i for i in by_popularity if specs[i].tier == 2],
        ),
    ):
        collection = ProductCollection.objects.create(
            name=name, slug=slug, description=f"<p>{description}</p>"
        )
        ProductCollectionItem.objects.bulk_create(
            [
                ProductCollectionItem(
                    collection=collection, product_id=product_id, sort_order=position
                )
                for position, product_id in enumerate(pick(chosen))
            ]
        )
        collections[slug] = collection

    images = list(tiles.values())

    def carousel(title, source, category=None, collection=None) -> dict:
        value = {
            "title": title,
            "source": source,
            "category": category.pk if category else None,
            "collection": collection.pk if collection else None,
            "products": [],
            "limit": COLLECTION_SIZE,
        }
        return {"type": "product_carousel", "value": value, "id": _block_id(rng)}

    def hero(heading, text, page, label) -> dict:
        value = {
            "image": rng.choice(images).pk,
            "heading": heading,
            "text": text,
            "link": {"page": page.pk, "url": "", "label": label},
        }
        return {"type": "hero_banner", "value": value, "id": _block_id(rng)}

    def rich_text(html) -> dict:
        return {"type": "rich_text", "value": html, "id": _block_id(rng)}

    landing = home.add_child(
        instance=LandingPage(
            title="Summer sale",
            slug="summer-sale",
            body=[
                hero(
                    "Summer sale",
                    "Up to 40% off, while stocks last.",
                    top_pages["Clothing"],
                    "Shop clothing",
                ),
                carousel(
                    "On sale now", "collection", collection=collections["on-sale"]
                ),
                rich_text(
                    "<h2>How the sale works</h2><p>Prices are already marked down; "
                    "sale items can be returned within 30 days.</p>"
                ),
            ],
        )
    )
    tiles_block = {
        "type": "promo_tiles",
        "value": {
            "tiles": [
                {
                    "type": "item",
                    "id": _block_id(rng),
                    "value": {
                        "image": page.image_id,
                        "title": title,
                        "text": f"Discover {title.lower()}",
                        "link": {"page": page.pk, "url": "", "label": "Shop now"},
                    },
                }
                for title, page in top_pages.items()
            ]
        },
        "id": _block_id(rng),
    }
    home.body = [
        hero(
            "The new season edit",
            "Fresh pieces for every day.",
            landing,
            "See the sale",
        ),
        carousel("Bestsellers", "collection", collection=collections["bestsellers"]),
        tiles_block,
        carousel("Clothing", "category", category=top_pages["Clothing"]),
        carousel("New arrivals", "collection", collection=collections["new-arrivals"]),
        rich_text(
            "<h2>Free returns, always</h2><p>Order today and try at home: "
            "returns are free for 30 days.</p>"
        ),
    ]
    home.save()
