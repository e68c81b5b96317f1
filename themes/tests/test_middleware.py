import pytest
from django.http import HttpResponse
from django.urls import reverse

from cms.factories import home_page
from themes.loader import active_theme, current_theme
from themes.middleware import ThemeMiddleware, theme_for_site
from themes.models import ThemeSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def storefront_themes(tmp_path, settings):
    """The real default theme plus `autumn`, which overrides the home page only."""
    (tmp_path / "default").symlink_to(settings.BASE_DIR / "themes" / "default")
    home = tmp_path / "autumn" / "templates" / "cms" / "home_page.html"
    home.parent.mkdir(parents=True)
    home.write_text(
        "{% extends 'base.html' %}{% block content %}<p>Autumn sale</p>{% endblock %}"
    )
    settings.THEMES_DIR = tmp_path
    return tmp_path


def test_site_theme_setting_picks_the_theme_for_the_request(client, storefront_themes):
    home = home_page()
    ThemeSettings.objects.create(site=home.get_site(), theme="autumn")

    response = client.get(home.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<p>Autumn sale</p>" in html
    # base.html is not in autumn: the default theme's header is used.
    assert '<header class="site-header">' in html
    assert active_theme.get() == ""


def test_site_without_a_setting_uses_the_default_theme(client, storefront_themes):
    home = home_page()

    response = client.get(home.url)

    assert response.status_code == 200
    assert "Autumn sale" not in response.content.decode()


def test_theme_is_read_from_the_database_once_then_from_the_cache(
    storefront_themes, django_assert_num_queries
):
    site = home_page().get_site()
    ThemeSettings.objects.create(site=site, theme="autumn")

    with django_assert_num_queries(1):
        first = theme_for_site(site)
    with django_assert_num_queries(0):
        second = theme_for_site(site)

    assert first == second == "autumn"


def test_saving_the_setting_shows_on_the_next_request(storefront_themes):
    site = home_page().get_site()
    setting = ThemeSettings.objects.create(site=site, theme="autumn")
    assert theme_for_site(site) == "autumn"

    setting.theme = "default"
    setting.save()

    assert theme_for_site(site) == "default"


def test_theme_setting_is_editable_in_the_admin(admin_client, storefront_themes):
    site = home_page().get_site()
    url = reverse("wagtailsettings:edit", args=("themes", "themesettings", site.pk))

    form = admin_client.get(url)
    saved = admin_client.post(url, {"theme": "autumn"})

    assert form.status_code == 200
    assert [value for value, _ in form.context["form"].fields["theme"].choices] == [
        "autumn",
        "default",
    ]
    assert saved.status_code == 302
    assert ThemeSettings.objects.get(site=site).theme == "autumn"
    assert theme_for_site(site) == "autumn"


def test_requests_that_render_no_template_never_look_the_theme_up(
    rf, django_assert_num_queries
):
    home_page()
    middleware = ThemeMiddleware(lambda request: HttpResponse("{}"))

    with django_assert_num_queries(0):
        response = middleware(rf.get("/api/v1/products/"))

    assert response.status_code == 200


def test_the_theme_is_looked_up_once_per_request(storefront_themes, rf):
    ThemeSettings.objects.create(site=home_page().get_site(), theme="autumn")
    seen = []

    def view(request):
        seen.extend([current_theme(), current_theme()])
        return HttpResponse()

    ThemeMiddleware(view)(rf.get("/"))

    assert seen == ["autumn", "autumn"]
    assert current_theme() == "default"


def test_a_site_without_the_setting_gets_the_default_theme_and_writes_nothing(
    storefront_themes,
):
    """Regression: ThemeSettings.for_site created the row on a page view, so a
    server's first 404 wrote to the database."""
    site = home_page().get_site()

    assert theme_for_site(site) == "default"
    assert not ThemeSettings.objects.exists()
