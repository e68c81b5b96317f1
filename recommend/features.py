"""Content features: a weighted TF-IDF vector per product.

The engine works on plain `Item` records so that it can be trained and benchmarked
without a database; `recommend.data` builds the records from the catalog.

Every field gets its own TF-IDF block, L2-normalised, scaled by the square root of
the field's weight, and the rows are normalised again: the cosine of two products
is then the weight-averaged cosine of their fields (weights are relative).

Text fields count words sublinearly (1 + log tf) and drop words found in most
products. A text value many products share word for word (a review title such
as "Love it!", a boilerplate description) says little about any one of them:
its block is scaled down by how common the whole value is, so frequent titles
do not outweigh the descriptions.
"""

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

TEXT_FIELDS = ("title", "description")
# Words found in more than this share of the products are boilerplate.
TEXT_MAX_DF = 0.5
HTML_TAG = re.compile(r"<[^>]+>")
# Price bands are 1.5x wide; two grids offset by half a band make neighbouring
# prices share a token wherever the band edge falls.
PRICE_BAND_RATIO = 1.5


@dataclass(frozen=True, slots=True)
class Item:
    """What the engine knows of a product; ids are the product page ids."""

    id: int
    title: str
    description: str = ""
    category_path: tuple[str, ...] = ()  # from the top-level category down
    gender: str = ""
    brand: str = ""
    colors: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    price: float | None = None
    rating: float | None = None  # None while unrated


def price_tokens(price: float | None) -> list[str]:
    if price is None or price <= 0:
        return []
    position = math.log(price) / math.log(PRICE_BAND_RATIO)
    return [f"a{math.floor(position)}", f"b{math.floor(position + 0.5)}"]


def rating_tokens(rating: float | None) -> list[str]:
    if rating is None:
        return ["unrated"]
    if rating >= 4.0:
        return ["high"]
    return ["mid"] if rating >= 3.0 else ["low"]


def category_tokens(path: tuple[str, ...]) -> list[str]:
    # Every ancestor is a token: products of sibling leaves still share one.
    return ["/".join(path[: depth + 1]).lower() for depth in range(len(path))]


def _one(value: str) -> list[str]:
    return [value.lower()] if value else []


def _each(values: tuple[str, ...]) -> list[str]:
    return [value.lower() for value in values]


# Per attribute field: the Item attribute it reads and how a value becomes tokens.
TOKENIZERS = {
    "category": ("category_path", category_tokens),
    "gender": ("gender", _one),
    "colors": ("colors", _each),
    "materials": ("materials", _each),
    "sizes": ("sizes", _each),
    "brand": ("brand", _one),
    "tags": ("tags", _each),
    "price": ("price", price_tokens),
    "rating": ("rating", rating_tokens),
}


def _distinct(values: list) -> tuple[list, np.ndarray]:
    """The distinct values in first-seen order, and each value's position in them."""
    positions: dict = {}
    inverse = np.fromiter(
        (positions.setdefault(value, len(positions)) for value in values),
        dtype=np.int64,
        count=len(values),
    )
    return list(positions), inverse


def _token_counts(rows: list[list[str]]) -> sparse.csr_matrix:
    vocabulary: dict[str, int] = {}
    indices, indptr = [], [0]
    for tokens in rows:
        for token in tokens:
            indices.append(vocabulary.setdefault(token, len(vocabulary)))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    counts = sparse.csr_matrix(
        (data, np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
        shape=(len(rows), max(len(vocabulary), 1)),
    )
    counts.sum_duplicates()
    return counts


def _text_counts(texts: list[str]) -> sparse.csr_matrix:
    vectorizer = CountVectorizer(
        stop_words="english", dtype=np.float32, preprocessor=_plain_text
    )
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # nothing but stop words
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)


def _plain_text(value: str) -> str:
    return HTML_TAG.sub(" ", value).lower()


def field_block(items: Sequence[Item], name: str) -> sparse.csr_matrix:
    """One field's L2-normalised TF-IDF rows.

    Each distinct value is tokenised once (catalogs repeat colors, sizes, brands
    and often titles); the IDF is still counted over all products.
    """
    if name in TOKENIZERS:
        attribute, tokenize = TOKENIZERS[name]
        values, inverse = _distinct([getattr(item, attribute) for item in items])
        counts = _token_counts([tokenize(value) for value in values])
    else:
        values, inverse = _distinct([getattr(item, name) for item in items])
        counts = _text_counts(values)
    counts = counts[inverse]
    if name not in TEXT_FIELDS:
        return TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
    # Words in most products are boilerplate, not content.
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    common = document_frequency > TEXT_MAX_DF * counts.shape[0]
    counts = (counts @ sparse.diags((~common).astype(np.float32))).tocsr()
    counts.eliminate_zeros()
    block = TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()
    return (sparse.diags(value_specificity(inverse)) @ block).tocsr()


def value_specificity(inverse: np.ndarray) -> np.ndarray:
    """Per row, in (0, 1]: the smoothed IDF of the row's whole value over the
    largest possible one (a value of its own scores 1)."""
    rows = len(inverse)
    shared_by = np.bincount(inverse)[inverse]
    idf = np.log((1 + rows) / (1 + shared_by)) + 1
    return (idf / (np.log((1 + rows) / 2) + 1)).astype(np.float32)


def build_features(
    items: Sequence[Item], weights: Mapping[str, float]
) -> sparse.csr_matrix:
    """The L2-normalised feature rows of `items`, in their order (float32 CSR).

    `weights` maps field names (the keys of TOKENIZERS and TEXT_FIELDS) to their
    weight; fields left out or weighted 0 are not used.
    """
    unknown = set(weights) - set(TOKENIZERS) - set(TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown feature fields: {sorted(unknown)}.")
    if not any(weight > 0 for weight in weights.values()):
        raise ValueError("At least one feature field needs a positive weight.")
    if not items:
        return sparse.csr_matrix((0, 1), dtype=np.float32)
    blocks = [
        field_block(items, name) * np.float32(math.sqrt(weight))
        for name, weight in weights.items()
        if weight > 0
    ]
    features = normalize(sparse.hstack(blocks, format="csr"), copy=False)
    return features.astype(np.float32, copy=False)
