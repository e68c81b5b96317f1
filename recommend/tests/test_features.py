import numpy as np
import pytest

from recommend.features import Item, build_features, category_tokens, price_tokens


def cosine(features, first, second) -> float:
    return round(float(features[first].multiply(features[second]).sum()), 4)


def test_fields_count_by_their_weight():
    # given one-token fields: gender weighs 1, brand 3
    items = [
        Item(id=1, title="", gender="men", brand="Acme"),
        Item(id=2, title="", gender="men", brand="Zeta"),
        Item(id=3, title="", gender="women", brand="Acme"),
    ]

    # when
    features = build_features(items, {"gender": 1.0, "brand": 3.0})

    # then sharing the brand is worth three quarters, the gender one quarter
    assert cosine(features, 0, 1) == 0.25
    assert cosine(features, 0, 2) == 0.75
    assert cosine(features, 1, 2) == 0.0
    assert np.allclose(features.multiply(features).sum(axis=1), 1.0)


def test_text_is_tf_idf_without_markup_stop_words_and_boilerplate():
    # given titles where "shoe" and "red" are in 2 of 4, "fine" in 3 of 4
    items = [
        Item(id=1, title="<b>Red</b> shoe, the fine one"),
        Item(id=2, title="Blue shoe fine"),
        Item(id=3, title="Red hat fine"),
        Item(id=4, title="Green scarf"),
    ]

    # when
    features = build_features(items, {"title": 1.0})

    # then "fine" (in more than half) and "the", "one" (stop words) do not count;
    # idf(shoe) = ln(5/3) + 1, idf(blue) = ln(5/2) + 1
    assert len(np.unique(features.indices)) == 6
    assert cosine(features, 0, 1) == 0.4378
    assert cosine(features, 0, 2) == 0.4378
    assert cosine(features, 0, 3) == 0.0


def test_category_tokens_are_the_ancestors():
    assert category_tokens(("Shoes", "Boots")) == ["shoes", "shoes/boots"]


def test_close_prices_share_a_band():
    # given prices 10% apart, wherever the band edges fall
    for price in (9.5, 20.0, 31.0, 74.99, 150.0):
        # when / then
        assert set(price_tokens(price)) & set(price_tokens(price * 1.1))
    assert not set(price_tokens(20.0)) & set(price_tokens(60.0))
    assert price_tokens(None) == []


def test_sibling_categories_are_closer_than_other_departments():
    items = [
        Item(id=1, title="", category_path=("Shoes", "Boots")),
        Item(id=2, title="", category_path=("Shoes", "Sneakers")),
        Item(id=3, title="", category_path=("Clothing", "Tops")),
    ]

    features = build_features(items, {"category": 1.0})

    assert cosine(features, 0, 1) > 0
    assert cosine(features, 0, 2) == 0.0


def test_unknown_field_is_refused():
    with pytest.raises(ValueError, match="Unknown feature fields"):
        build_features([Item(id=1, title="x")], {"colour": 1.0})
