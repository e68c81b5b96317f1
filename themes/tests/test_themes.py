"""The shipped themes: the boutique theme against the default, switched per
Wagtail Site; themed error pages; titles, descriptions and favicons."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from cms.factories import home_page
from cms.tests.test_templates import catalog  # noqa: F401 (fixture)
from themes.loader import available_themes
from themes.models import ThemeSettings

pytestmark = pytest.mark.django_db

# What only each theme's pages carry.
MARKERS = {
    "default": '<link rel="stylesheet" href="/static/default/css/shop.css">',
    "boutique": '<link rel="stylesheet" href="/static/boutique/css/boutique.css">',
}


def use_site_theme(theme):
    ThemeSettings.objects.update_or_create(
        site=home_page().get_site(), defaults={"theme": theme}
    )


def test_both_themes_ship():
    assert available_themes() == ["boutique", "default"]


def test_switching_the_sites_theme_changes_every_page(client, catalog):  # noqa: F811
    urls = [catalog[name].url for name in ("home", "shirts", "oxford", "landing")]

    default = [client.get(url).content.decode() for url in urls]
    use_site_theme("boutique")
    boutique = [client.get(url).content.decode() for url in urls]

    for html in default:
        assert MARKERS["default"] in html and MARKERS["boutique"] not in html
        assert '<header class="site-header">' in html
    for html in boutique:
        # On top of the default stylesheet, whose colours it redefines.
        assert MARKERS["boutique"] in html
        assert '<header class="masthead">' in html
        assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    home, shirts, oxford, landing = boutique
    assert "<h1>Shop</h1>" in home
    assert '<div class="hero-banner hero-overlay">' in home
    assert '<p class="product-card-brand">Northwind</p>' in home
    # Category and product pages: the default theme's page under a breadcrumb.
    assert '<body class="boutique category-page editorial">' in shirts
    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in shirts
    assert '<span aria-current="page">Shirts</span>' in shirts
    assert "<h1>Shirts</h1>" in shirts
    assert '<body class="boutique product-page gallery-layout">' in oxford
    assert f'<li><a href="{catalog["shirts"].url}">Shirts</a></li>' in oxford
    assert '<h1 itemprop="name">Oxford shirt</h1>' in oxford
    # The landing page is not in the boutique theme: the default's, in its base.
    assert "<h1>Summer campaign</h1>" in landing


def test_setting_the_theme_back_restores_the_default(client, catalog):  # noqa: F811
    use_site_theme("boutique")
    client.get(catalog["home"].url)
    use_site_theme("default")

    html = client.get(catalog["home"].url).content.decode()

    assert MARKERS["boutique"] not in html


@pytest.mark.parametrize(
    ("theme", "heading"),
    [
        ("default", "<h1>We can’t find that page</h1>"),
        ("boutique", "<h1>This page has left the collection</h1>"),
    ],
)
def test_unknown_storefront_paths_get_the_themes_404(
    client,
    settings,
    catalog,  # noqa: F811
    theme,
    heading,
):
    settings.DEBUG = False
    use_site_theme(theme)

    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert heading in html
    assert MARKERS[theme] in html
    assert "<title>Page not found " in html
    assert f'<a href="{catalog["shirts"].url}"' in html


@pytest.mark.parametrize(
    ("theme", "heading"),
    [
        ("default", "<h1>Something went wrong on our side</h1>"),
        ("boutique", "<h1>A moment, please</h1>"),
    ],
)
def test_a_fault_on_a_storefront_page_gets_the_themes_500(
    settings,
    monkeypatch,
    catalog,  # noqa: F811
    theme,
    heading,
):
    settings.DEBUG = False
    use_site_theme(theme)

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(type(catalog["shirts"]), "get_context", broken)

    response = Client(raise_request_exception=False).get(catalog["shirts"].url)

    html = response.content.decode()
    assert response.status_code == 500
    assert heading in html
    assert MARKERS[theme] in html
    assert "Traceback" not in html and "boom" not in html


def test_titles_and_descriptions_come_from_the_seo_fields(client, catalog):  # noqa: F811
    shirts = catalog["shirts"]
    shirts.seo_title = "Shirts for every day"
    shirts.search_description = "Oxford, linen and flannel shirts."
    shirts.save()
    oxford = catalog["oxford"]
    oxford.description = "<p>A soft &amp; sturdy <b>Oxford</b> shirt.</p>"
    oxford.save()

    category = client.get(shirts.url).content.decode()
    product = client.get(oxford.url).content.decode()
    home = client.get(catalog["home"].url).content.decode()

    assert "<title>Shirts for every day · Shop</title>" in category
    assert '<meta name="description" content="Oxford, linen and flannel shirts.">' in (
        category
    )
    # No search description: the start of the product's own text.
    assert "<title>Oxford shirt · Shop</title>" in product
    assert '<meta name="description" content="A soft &amp; sturdy Oxford shirt.">' in (
        product
    )
    assert "<title>Home · Shop</title>" in home
    assert '<meta name="description"' not in home
    assert (
        '<link rel="icon" href="/static/default/favicon.svg" type="image/svg+xml">'
    ) in home


def test_each_theme_links_its_own_favicon(client, settings, catalog):  # noqa: F811
    use_site_theme("boutique")

    html = client.get(catalog["home"].url).content.decode()

    assert (
        '<link rel="icon" href="/static/boutique/favicon.svg" type="image/svg+xml">'
    ) in html
    assert finders.find("boutique/favicon.svg") == str(
        settings.BASE_DIR / "themes/boutique/static/favicon.svg"
    )
