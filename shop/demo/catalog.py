"""The demo catalog as plain data: category tree, brands, colors and products.

Nothing here touches the database; `seed` writes what `generate_products` draws.
"""

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.text import slugify

from cms.models import Gender

CENTS = Decimal("0.01")
GRAMS = Decimal("0.001")

MEN, WOMEN, UNISEX = Gender.MEN.value, Gender.WOMEN.value, Gender.UNISEX.value

CLOTHING_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
SHOE_SIZES = {
    MEN: ("40", "41", "42", "43", "44", "45", "46"),
    WOMEN: ("36", "37", "38", "39", "40", "41"),
    UNISEX: ("37", "38", "39", "40", "41", "42", "43", "44"),
}
ONE_SIZE = ("One size",)


@dataclass(frozen=True)
class Color:
    name: str
    code: str
    hex: str


COLORS = (
    Color("Black", "BLK", "#1d1d1f"),
    Color("White", "WHT", "#f4f4f0"),
    Color("Navy", "NAV", "#1f2a44"),
    Color("Grey", "GRY", "#8a8d91"),
    Color("Beige", "BEI", "#d9c7a7"),
    Color("Olive", "OLV", "#6b7043"),
    Color("Burgundy", "BUR", "#6d1f2f"),
    Color("Red", "RED", "#c8312b"),
    Color("Sky blue", "SKY", "#7fb2d9"),
    Color("Forest green", "FOR", "#2f5d3a"),
    Color("Pink", "PNK", "#e8a5b8"),
    Color("Mustard", "MUS", "#d6a227"),
)
COLOR_BY_NAME = {color.name: color for color in COLORS}


@dataclass(frozen=True)
class Brand:
    name: str
    tier: int  # 0 budget, 1 mid-range, 2 premium


BRANDS = (
    Brand("Pebble", 0),
    Brand("Northwind Basics", 0),
    Brand("Oakridge", 0),
    Brand("Fernway", 0),
    Brand("Kestrel", 1),
    Brand("Alder & Finch", 1),
    Brand("Tidewater", 1),
    Brand("Halden", 1),
    Brand("Brisa", 1),
    Brand("Ironbark", 2),
    Brand("Marlowe", 2),
    Brand("Solenne", 2),
)
TIER_PRICE_FACTOR = (Decimal("0.65"), Decimal("1.00"), Decimal("1.75"))


@dataclass(frozen=True)
class Leaf:
    """A category that holds products, with what its products look like."""

    slug: str
    title: str
    parent: str
    nouns: tuple[str, ...]
    genders: tuple[str, ...]
    sizes: str  # "clothing", "shoes" or "one"
    materials: tuple[str, ...]
    price_range: tuple[int, int]
    weight_range: tuple[float, float]
    season: str = ""


TOP_CATEGORIES = ("Clothing", "Shoes", "Accessories", "Sportswear")
LEAVES = (
    Leaf(
        "tops",
        "Tops",
        "Clothing",
        ("T-Shirt", "Shirt", "Polo", "Henley", "Blouse", "Tank Top"),
        (MEN, WOMEN, UNISEX),
        "clothing",
        ("cotton", "organic cotton", "linen", "jersey"),
        (18, 70),
        (0.15, 0.35),
        "summer",
    ),
    Leaf(
        "knitwear",
        "Knitwear",
        "Clothing",
        ("Sweater", "Cardigan", "Hoodie", "Sweatshirt"),
        (MEN, WOMEN, UNISEX),
        "clothing",
        ("merino wool", "cashmere", "cotton", "recycled polyester"),
        (40, 140),
        (0.35, 0.7),
        "winter",
    ),
    Leaf(
        "bottoms",
        "Bottoms",
        "Clothing",
        ("Jeans", "Chinos", "Shorts", "Joggers", "Trousers"),
        (MEN, WOMEN, UNISEX),
        "clothing",
        ("denim", "cotton twill", "linen", "organic cotton"),
        (30, 120),
        (0.3, 0.8),
    ),
    Leaf(
        "dresses-skirts",
        "Dresses & Skirts",
        "Clothing",
        ("Midi Dress", "Wrap Dress", "Shirt Dress", "Pleated Skirt", "Mini Skirt"),
        (WOMEN,),
        "clothing",
        ("viscose", "linen", "silk", "cotton"),
        (35, 160),
        (0.2, 0.5),
        "summer",
    ),
    Leaf(
        "outerwear",
        "Outerwear",
        "Clothing",
        ("Parka", "Rain Jacket", "Wool Coat", "Puffer Jacket", "Bomber"),
        (MEN, WOMEN, UNISEX),
        "clothing",
        ("wool blend", "recycled nylon", "waxed cotton", "down"),
        (80, 320),
        (0.7, 1.8),
        "winter",
    ),
    Leaf(
        "sneakers",
        "Sneakers",
        "Shoes",
        ("Low Sneaker", "High Top", "Court Sneaker", "Slip-On"),
        (MEN, WOMEN, UNISEX),
        "shoes",
        ("leather", "canvas", "suede", "recycled mesh"),
        (50, 180),
        (0.7, 1.2),
    ),
    Leaf(
        "boots",
        "Boots",
        "Shoes",
        ("Chelsea Boot", "Hiking Boot", "Lace-Up Boot", "Ankle Boot"),
        (MEN, WOMEN, UNISEX),
        "shoes",
        ("leather", "suede", "nubuck"),
        (90, 280),
        (1.0, 1.8),
        "winter",
    ),
    Leaf(
        "sandals",
        "Sandals",
        "Shoes",
        ("Slide", "Strap Sandal", "Espadrille", "Flip-Flop"),
        (MEN, WOMEN, UNISEX),
        "shoes",
        ("leather", "cork", "rubber", "jute"),
        (20, 110),
        (0.3, 0.7),
        "summer",
    ),
    Leaf(
        "bags",
        "Bags",
        "Accessories",
        ("Tote", "Backpack", "Crossbody Bag", "Weekender", "Belt Bag"),
        (MEN, WOMEN, UNISEX),
        "one",
        ("leather", "canvas", "recycled nylon"),
        (35, 260),
        (0.4, 1.4),
    ),
    Leaf(
        "hats-scarves",
        "Hats & Scarves",
        "Accessories",
        ("Beanie", "Baseball Cap", "Bucket Hat", "Scarf", "Sun Hat"),
        (MEN, WOMEN, UNISEX),
        "one",
        ("merino wool", "cotton", "cashmere", "straw"),
        (15, 90),
        (0.08, 0.25),
    ),
    Leaf(
        "belts-wallets",
        "Belts & Wallets",
        "Accessories",
        ("Belt", "Card Holder", "Wallet", "Key Ring"),
        (MEN, WOMEN, UNISEX),
        "one",
        ("leather", "canvas", "vegan leather"),
        (15, 120),
        (0.05, 0.3),
    ),
    Leaf(
        "running",
        "Running",
        "Sportswear",
        ("Running Tee", "Running Shorts", "Running Tights", "Wind Shell"),
        (MEN, WOMEN, UNISEX),
        "clothing",
        ("recycled polyester", "nylon", "merino wool"),
        (25, 130),
        (0.1, 0.4),
    ),
    Leaf(
        "yoga",
        "Yoga",
        "Sportswear",
        ("Yoga Pants", "Sports Bra", "Yoga Top", "Studio Hoodie"),
        (WOMEN, UNISEX),
        "clothing",
        ("organic cotton", "bamboo jersey", "recycled nylon"),
        (25, 110),
        (0.15, 0.45),
    ),
)
LEAF_BY_SLUG = {leaf.slug: leaf for leaf in LEAVES}

ADJECTIVES = (
    "Classic",
    "Essential",
    "Relaxed",
    "Slim",
    "Heritage",
    "Everyday",
    "Lightweight",
    "Tailored",
    "Vintage",
    "Utility",
    "Soft",
    "Weekend",
    "Studio",
    "Coastal",
    "Urban",
    "Alpine",
)
ECO_MATERIALS = {
    "organic cotton",
    "recycled polyester",
    "recycled nylon",
    "recycled mesh",
    "cork",
    "bamboo jersey",
    "vegan leather",
}
OPENINGS = (
    "Made to be worn on repeat, this {noun} keeps its shape wash after wash.",
    "A {adjective} {noun} with clean lines and a considered fit.",
    "Our take on the {noun}: simple, durable and easy to pair.",
    "Cut from {material}, this {noun} feels good from the first wear.",
    "The {noun} you will reach for first, in a {color} that goes with everything.",
)
DETAILS = (
    "Designed by {brand} in small batches.",
    "Finished with reinforced seams and tonal details.",
    "Pairs well with the rest of the {brand} range.",
    "Comes in a recyclable paper pouch.",
    "Machine washable at 30 degrees.",
)


@dataclass(frozen=True)
class ProductSpec:
    number: int
    title: str
    slug: str
    leaf: str
    gender: str
    brand: str
    tier: int
    material: str
    colors: tuple[str, ...]  # the first one is the main color
    sizes: tuple[str, ...]
    price: Decimal
    compare_at_price: Decimal | None
    weight_kg: Decimal
    tags: tuple[str, ...]
    description: str
    # Hidden from shoppers: drives their ratings.
    quality: float

    @property
    def sku_prefix(self) -> str:
        return f"DEMO-{self.number:05d}"


def _price(rng: random.Random, leaf: Leaf, tier: int) -> Decimal:
    low, high = leaf.price_range
    base = Decimal(str(rng.uniform(low, high))) * TIER_PRICE_FACTOR[tier]
    return max(Decimal("4"), base.to_integral_value()) - Decimal("0.01")


def _sizes(rng: random.Random, leaf: Leaf, gender: str) -> tuple[str, ...]:
    if leaf.sizes == "one":
        return ONE_SIZE
    scale = CLOTHING_SIZES if leaf.sizes == "clothing" else SHOE_SIZES[gender]
    count = rng.randint(3, min(5, len(scale)))
    start = rng.randint(0, len(scale) - count)
    return scale[start : start + count]


def _description(rng, leaf, noun, adjective, material, color, brand) -> str:
    values = {
        "noun": noun.lower(),
        "adjective": adjective.lower(),
        "material": material,
        "color": color.lower(),
        "brand": brand,
    }
    opening = rng.choice(OPENINGS).format(**values)
    detail = rng.choice(DETAILS).format(**values)
    return (
        f"<p>{opening} {detail}</p>"
        f"<ul><li>Material: {material}</li><li>Category: {leaf.title}</li></ul>"
    )


def generate_products(rng: random.Random, count: int) -> list[ProductSpec]:
    products = []
    for number in range(1, count + 1):
        leaf = rng.choice(LEAVES)
        gender = rng.choice(leaf.genders)
        brand = rng.choice(BRANDS)
        material = rng.choice(leaf.materials)
        noun = rng.choice(leaf.nouns)
        adjective = rng.choice(ADJECTIVES)
        colors = tuple(color.name for color in rng.sample(COLORS, rng.randint(1, 3)))
        price = _price(rng, leaf, brand.tier)
        compare_at_price = None
        if rng.random() < 0.25:
            markup = Decimal(str(rng.uniform(1.15, 1.6)))
            compare_at_price = (price * markup).quantize(Decimal("1")) + Decimal("0.00")
        low_weight, high_weight = leaf.weight_range
        weight = Decimal(str(rng.uniform(low_weight, high_weight))).quantize(GRAMS)
        tags = {leaf.season} if leaf.season else set()
        if compare_at_price:
            tags.add("sale")
        if material in ECO_MATERIALS:
            tags.add("eco")
        if rng.random() < 0.15:
            tags.add("new")
        if rng.random() < 0.1:
            tags.add("limited edition")
        title = f"{brand.name} {adjective} {noun}"
        products.append(
            ProductSpec(
                number=number,
                title=title,
                slug=f"{slugify(title)}-{number}",
                leaf=leaf.slug,
                gender=gender,
                brand=brand.name,
                tier=brand.tier,
                material=material,
                colors=colors,
                sizes=_sizes(rng, leaf, gender),
                price=price,
                compare_at_price=compare_at_price,
                weight_kg=weight,
                tags=tuple(sorted(tags)),
                description=_description(
                    rng, leaf, noun, adjective, material, colors[0], brand.name
                ),
                quality=rng.betavariate(4, 2),
            )
        )
    return products


def rating_average(ratings: list[int]) -> Decimal:
    if not ratings:
        return Decimal("0.00")
    return (Decimal(sum(ratings)) / len(ratings)).quantize(CENTS, ROUND_HALF_UP)
