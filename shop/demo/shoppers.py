"""Demo shoppers with hidden tastes, and the interaction history those tastes produce.

Each shopper gets a gender, a few favourite categories, two favourite colors and a
price tier. Their sessions mostly browse their favourite categories and prefer
products that match the rest of their taste; partway through the period the
favourite categories drift, so a recommender has something recent to catch up with.
The funnel narrows from views to cart adds to purchases to reviews, and every cart
add and purchase follows a view of the same product in the same session.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from shop.demo.catalog import COLORS, LEAVES, MEN, UNISEX, WOMEN, ProductSpec

FIRST_NAMES = (
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Felix", "Grace", "Hugo", "Iris", "Jonas",
    "Kira", "Leo", "Maya", "Noah", "Olivia", "Pablo", "Quinn", "Rosa", "Sami", "Tara",
    "Umar", "Vera", "Wes", "Xenia", "Yusuf", "Zoe",
)  # fmt: skip
LAST_NAMES = (
    "Adler", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen",
    "Ito", "Jensen", "Khan", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov",
    "Rossi", "Silva", "Tanaka", "Varga", "Weber", "Yilmaz",
)  # fmt: skip
DEMO_EMAIL_DOMAIN = "demo.example.com"

VIEW, CART_ADD, PURCHASE, REVIEW = "view", "cart_add", "purchase", "review"
# Weights and half-life of the popularity score (a decayed count of interest).
KIND_WEIGHT = {VIEW: 1.0, CART_ADD: 3.0, PURCHASE: 5.0, REVIEW: 2.0}
POPULARITY_HALF_LIFE_DAYS = 21.0
PERIOD_DAYS = 180
ANONYMOUS_SHARE = 0.15
FAVOURITE_CATEGORY_SHARE = 0.8

REVIEW_TEXTS = {
    1: ("Disappointing", "Did not live up to the pictures; sent it back."),
    2: ("Not for me", "The fit was off and the fabric felt thin."),
    3: ("It's fine", "Does the job, nothing special for the price."),
    4: ("Really good", "Nice quality and fits as expected."),
    5: ("Love it", "Exactly what I was looking for, would buy again."),
}


@dataclass(frozen=True)
class Taste:
    gender: str
    categories: tuple[str, ...]  # favourite leaf slugs before the drift
    later_categories: tuple[str, ...]  # and after it
    drift_at: datetime
    colors: tuple[str, ...]
    tier: int

    def categories_at(self, moment: datetime) -> tuple[str, ...]:
        return self.categories if moment < self.drift_at else self.later_categories


@dataclass(frozen=True)
class ShopperSpec:
    email: str
    first_name: str
    last_name: str
    date_joined: datetime
    taste: Taste


@dataclass(frozen=True)
class EventSpec:
    shopper: int | None  # index into the shoppers; None for an anonymous session
    session_id: str
    product: int  # index into the products
    kind: str
    at: datetime


@dataclass(frozen=True)
class ReviewSpec:
    shopper: int
    product: int
    rating: int
    title: str
    body: str
    status: str
    at: datetime


def _random_taste(rng: random.Random, start: datetime, end: datetime) -> Taste:
    gender = rng.choices((MEN, WOMEN, UNISEX), weights=(45, 45, 10))[0]
    eligible = [leaf.slug for leaf in LEAVES if gender in leaf.genders]
    categories = tuple(rng.sample(eligible, rng.randint(2, 3)))
    # The drift swaps one or two favourites for categories the shopper ignored.
    kept = rng.sample(categories, len(categories) - rng.randint(1, 2))
    fresh = rng.sample([slug for slug in eligible if slug not in categories], 2)
    later = tuple(kept + fresh[: len(categories) - len(kept)])
    drift_at = start + (end - start) * rng.uniform(0.35, 0.75)
    colors = tuple(rng.sample([color.name for color in COLORS], 2))
    return Taste(gender, categories, later, drift_at, colors, rng.randint(0, 2))


def generate_shoppers(
    rng: random.Random, count: int, start: datetime, end: datetime
) -> list[ShopperSpec]:
    shoppers = []
    for number in range(1, count + 1):
        joined = start - timedelta(days=rng.uniform(0, 365))
        shoppers.append(
            ShopperSpec(
                email=f"shopper{number:04d}@{DEMO_EMAIL_DOMAIN}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                date_joined=joined,
                taste=_random_taste(rng, start, end),
            )
        )
    return shoppers


class _Chooser:
    """Taste-weighted product draws per category.

    The weights depend on the taste's gender, colors and tier only (not on the
    drifting categories), so they are computed once per such taste and category.
    """

    def __init__(self, products: list[ProductSpec]):
        self.products = products
        self.leaves = {}
        for leaf in LEAVES:
            members = [
                i for i, product in enumerate(products) if product.leaf == leaf.slug
            ]
            self.leaves[leaf.slug] = (
                np.array(members, dtype=np.int64),
                np.array([products[i].gender for i in members]),
                np.array([products[i].colors[0] for i in members]),
                np.array([products[i].tier for i in members], dtype=np.int64),
                np.array([products[i].quality for i in members]),
            )
        self.cache: dict[tuple, tuple[np.ndarray, ...]] = {}

    def _weights(self, taste: Taste, leaf: str) -> tuple[np.ndarray, np.ndarray]:
        """How much a shopper of this taste likes each product of the category."""
        members, genders, colors, tiers, qualities = self.leaves[leaf]
        gender = np.where(
            genders == taste.gender,
            1.0,
            np.where((genders == UNISEX) | (taste.gender == UNISEX), 0.6, 0.04),
        )
        color = np.where(np.isin(colors, taste.colors), 3.0, 1.0)
        tier = np.array([1.0, 0.35, 0.1])[np.abs(tiers - taste.tier)]
        return members, gender * color * tier * (0.5 + qualities)

    def choose(
        self, rng: random.Random, taste: Taste, leaf: str
    ) -> tuple[int, float] | None:
        """A product index drawn by affinity, and that affinity."""
        key = (taste.gender, tuple(sorted(taste.colors)), taste.tier, leaf)
        if key not in self.cache:
            members, weights = self._weights(taste, leaf)
            self.cache[key] = (members, weights, np.cumsum(weights))
        members, weights, cumulative = self.cache[key]
        if not len(members):
            return None
        position = int(np.searchsorted(cumulative, rng.random() * cumulative[-1]))
        position = min(position, len(members) - 1)
        return int(members[position]), float(weights[position])


def _review(rng, shopper, product_index, product, taste, moment) -> ReviewSpec:
    score = (
        1.5 + 3.0 * product.quality + (0.5 if product.colors[0] in taste.colors else 0)
    )
    rating = max(1, min(5, round(rng.gauss(score, 0.8))))
    title, body = REVIEW_TEXTS[rating]
    status = rng.choices(("approved", "pending", "rejected"), weights=(88, 8, 4))[0]
    return ReviewSpec(shopper, product_index, rating, title, body, status, moment)


def _session(
    rng: random.Random,
    chooser: _Chooser,
    taste: Taste,
    shopper: int | None,
    session_id: str,
    begins: datetime,
    end: datetime,
    reviewed: set,
) -> tuple[list[EventSpec], list[ReviewSpec]]:
    """One visit: a few product views, some of which go on to the cart and checkout."""
    events, reviews = [], []
    moment = begins
    favourites = taste.categories_at(begins)
    for _ in range(rng.randint(1, 6)):
        if rng.random() < FAVOURITE_CATEGORY_SHARE:
            leaf = rng.choice(favourites)
        else:
            leaf = rng.choice(LEAVES).slug
        chosen = chooser.choose(rng, taste, leaf)
        if chosen is None:
            continue
        index, affinity = chosen
        moment += timedelta(seconds=rng.uniform(20, 300))
        if moment > end:
            break
        events.append(EventSpec(shopper, session_id, index, VIEW, moment))
        product = chooser.products[index]
        interest = affinity * (1.5 if leaf in favourites else 0.5)
        if rng.random() >= min(0.5, 0.05 + 0.07 * interest):
            continue
        added = moment + timedelta(seconds=rng.uniform(10, 600))
        if added > end:
            continue
        events.append(EventSpec(shopper, session_id, index, CART_ADD, added))
        if rng.random() >= 0.45:
            continue
        bought = added + timedelta(seconds=rng.uniform(60, 3600))
        if bought > end:
            continue
        events.append(EventSpec(shopper, session_id, index, PURCHASE, bought))
        if shopper is None or (shopper, index) in reviewed or rng.random() >= 0.35:
            continue
        written = bought + timedelta(days=rng.uniform(2, 20))
        if written > end:
            continue
        reviewed.add((shopper, index))
        events.append(EventSpec(shopper, session_id, index, REVIEW, written))
        reviews.append(_review(rng, shopper, index, product, taste, written))
    return events, reviews


def _session_id(rng: random.Random) -> str:
    return f"demo-{rng.getrandbits(128):032x}"


def generate_history(
    rng: random.Random,
    shoppers: list[ShopperSpec],
    products: list[ProductSpec],
    events_per_shopper: int,
    start: datetime,
    end: datetime,
) -> tuple[list[EventSpec], list[ReviewSpec]]:
    """Interactions of the shoppers and of anonymous sessions, sorted by time."""
    chooser = _Chooser(products)
    span = (end - start).total_seconds()
    events: list[EventSpec] = []
    reviews: list[ReviewSpec] = []
    reviewed: set[tuple[int, int]] = set()
    # A lognormal spread of activity, scaled so that the mean stays the target.
    sigma = 0.6
    scale = events_per_shopper / math.exp(sigma**2 / 2)
    for shopper_index, shopper in enumerate(shoppers):
        target = max(3, round(scale * rng.lognormvariate(0, sigma)))
        produced = 0
        while produced < target:
            begins = start + timedelta(seconds=rng.uniform(0, span))
            new_events, new_reviews = _session(
                rng,
                chooser,
                shopper.taste,
                shopper_index,
                _session_id(rng),
                begins,
                end,
                reviewed,
            )
            events.extend(new_events)
            reviews.extend(new_reviews)
            produced += len(new_events)
    anonymous_target = round(len(events) * ANONYMOUS_SHARE / (1 - ANONYMOUS_SHARE))
    produced = 0
    while produced < anonymous_target:
        taste = _random_taste(rng, start, end)
        begins = start + timedelta(seconds=rng.uniform(0, span))
        new_events, _ = _session(
            rng, chooser, taste, None, _session_id(rng), begins, end, reviewed
        )
        events.extend(new_events)
        produced += len(new_events)
    events.sort(key=lambda event: event.at)
    return events, reviews


def popularity(
    events: list[EventSpec], product_count: int, now: datetime
) -> list[float]:
    """Per product: the events' kind weights, halved every half-life of age."""
    scores = [0.0] * product_count
    for event in events:
        age_days = (now - event.at).total_seconds() / 86400
        decay = 0.5 ** (age_days / POPULARITY_HALF_LIFE_DAYS)
        scores[event.product] += KIND_WEIGHT[event.kind] * decay
    return [round(score, 6) for score in scores]
