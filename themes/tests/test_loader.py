from django.template.loader import get_template, render_to_string

from themes.loader import available_themes, current_theme


def test_available_themes_are_folders_with_templates(theme_dirs):
    assert available_themes() == ["autumn", "default"]


def test_without_an_active_theme_the_default_theme_renders(theme_dirs):
    assert current_theme() == "default"
    assert render_to_string("page.html") == "default base|default page"


def test_active_theme_overrides_only_the_templates_it_has(theme_dirs, use_theme):
    use_theme("autumn")

    # page.html from autumn, base.html falls back to the default theme.
    assert render_to_string("page.html") == "default base|autumn page"
    assert render_to_string("base.html") == "default base|"


def test_cached_templates_are_kept_apart_per_theme(theme_dirs, use_theme):
    default_first = render_to_string("page.html")
    use_theme("autumn")
    autumn = render_to_string("page.html")
    autumn_again = get_template("page.html")
    use_theme("default")
    default_again = render_to_string("page.html")

    assert default_first == "default base|default page"
    assert autumn == "default base|autumn page"
    assert autumn_again.origin.name == str(theme_dirs / "autumn/templates/page.html")
    assert default_again == "default base|default page"


def test_unknown_theme_falls_back_to_the_default(theme_dirs, use_theme):
    use_theme("removed")

    assert render_to_string("page.html") == "default base|default page"


def test_admin_templates_still_come_from_the_apps(theme_dirs, use_theme):
    use_theme("autumn")

    template = get_template("wagtailadmin/base.html")

    assert "wagtail/admin/templates" in template.origin.name


def test_each_theme_serves_its_static_files_under_its_name(settings):
    from django.contrib.staticfiles import finders

    found = finders.find("default/css/shop.css")

    assert found == str(settings.BASE_DIR / "themes/default/static/css/shop.css")
