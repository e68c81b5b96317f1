import pytest
from django.core.cache import cache
from django.template import engines

from shop.testing.pytest_plugin import needs_services
from themes.loader import active_theme


@pytest.fixture
def theme_dirs(tmp_path, settings):
    """Two themes in a temporary THEMES_DIR: `default` and `autumn`.

    Autumn overrides page.html only; base.html exists in the default theme alone.
    """

    def write(theme, name, text):
        path = tmp_path / theme / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    write("default", "base.html", "default base|{% block body %}{% endblock %}")
    write(
        "default",
        "page.html",
        "{% extends 'base.html' %}{% block body %}default page{% endblock %}",
    )
    write(
        "autumn",
        "page.html",
        "{% extends 'base.html' %}{% block body %}autumn page{% endblock %}",
    )
    (tmp_path / "notes").mkdir()
    settings.THEMES_DIR = tmp_path
    settings.DEFAULT_THEME = "default"
    return tmp_path


@pytest.fixture(autouse=True)
def fresh_caches(request):
    """Templates and site themes cached by other tests must not leak in (site
    themes live in the cache, which tests without the servers do not touch)."""
    uses_cache = needs_services(request.node)

    def reset():
        for loader in engines["django"].engine.template_loaders:
            loader.reset()
        if uses_cache:
            cache.delete_pattern("themes:site:*")

    reset()
    yield
    reset()


@pytest.fixture
def use_theme():
    tokens = []

    def activate(name):
        tokens.append(active_theme.set(name))

    yield activate
    for token in reversed(tokens):
        active_theme.reset(token)
