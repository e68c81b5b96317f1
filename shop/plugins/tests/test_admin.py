import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from shop.plugins.builtin.taxes import FlatRateTaxesPlugin
from shop.plugins.manager import get_plugins_manager
from shop.plugins.models import PluginConfiguration
from shop.plugins.services import save_plugin_configuration
from shop.plugins.tests.sample_plugins import Configurable

pytestmark = pytest.mark.django_db

INDEX_URL = "/admin/plugins/"
SECRET = "sk_live_abcdef1234"


@pytest.fixture
def installed(use_plugins):
    return use_plugins({FlatRateTaxesPlugin: {"rates": "DE=19"}, Configurable: {}})


def edit_url(plugin_id):
    return reverse("plugins_admin:edit", args=[plugin_id])


def test_the_list_shows_every_plugin_with_its_state(
    admin_client, installed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        save_plugin_configuration("tests.configurable", active=False, changes={})

    response = admin_client.get(INDEX_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert [p.PLUGIN_ID for p in response.context["plugins"]] == [
        "flat-rate-taxes",
        "tests.configurable",
    ]
    assert f'<a href="{edit_url("flat-rate-taxes")}">Flat-rate taxes</a>' in html
    assert "One tax percentage per country, for lines and shipping." in html
    assert [p.active for p in response.context["plugins"]] == [True, False]
    assert '<span class="w-status w-status--primary">Active</span>' in html
    assert '<span class="w-status">Inactive</span>' in html


def test_the_settings_menu_links_to_the_list(admin_client, installed):
    response = admin_client.get(INDEX_URL)

    assert '"label": "Plugins", "icon_name": "cogs"' in response.content.decode()
    assert '"url": "/admin/plugins/"' in response.content.decode()


def test_the_form_has_a_field_per_configuration_field(admin_client, installed):
    response = admin_client.get(edit_url("flat-rate-taxes"))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == [
        "plugin_active",
        "rates",
        "default_rate",
        "default_country",
        "prices_include_tax",
        "tax_shipping",
    ]
    assert form["rates"].value() == "DE=19"
    assert '<textarea name="rates"' in response.content.decode()


def test_saving_stores_configuration_and_active_flag(admin_client, installed):
    response = admin_client.post(
        edit_url("flat-rate-taxes"),
        {
            "rates": "DE=19\r\nFR=20",
            "default_rate": "5",
            "default_country": "fr",
            "prices_include_tax": "on",
        },
    )

    assert response.status_code == 302
    assert response.url == INDEX_URL
    row = PluginConfiguration.objects.get(plugin_id="flat-rate-taxes")
    assert row.active is False
    assert row.configuration == {
        "rates": "DE=19\nFR=20",
        "default_rate": "5",
        "default_country": "FR",
        "prices_include_tax": True,
        "tax_shipping": False,
    }


def test_invalid_configuration_shows_the_error_and_saves_nothing(
    admin_client, installed
):
    response = admin_client.post(
        edit_url("flat-rate-taxes"),
        {"plugin_active": "on", "rates": "DE=19\nFR=twenty", "default_rate": "0"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "rates": ["Bad rate on line 2 ('FR=twenty'): 'twenty' is not a number."]
    }
    assert "Bad rate on line 2" in response.content.decode()
    assert (
        PluginConfiguration.objects.get(plugin_id="flat-rate-taxes").configuration[
            "rates"
        ]
        == "DE=19"
    )


def test_secrets_never_reach_the_page_and_stay_when_left_empty(
    admin_client, installed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        save_plugin_configuration(
            "tests.configurable",
            active=True,
            changes={"api_key": SECRET, "password": "hunter22"},
        )

    page = admin_client.get(edit_url("tests.configurable")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            edit_url("tests.configurable"),
            {
                "plugin_active": "on",
                "endpoint": "https://new.test",
                "sandbox": "on",
                "api_key": "",
                "password": "",
                "status": "posted by a client",
            },
        )

    assert SECRET not in page
    assert "hunter22" not in page
    assert "Stored: ****1234. Leave empty to keep it." in page
    assert "Stored: ********. Leave empty to keep it." in page
    assert response.status_code == 302
    configuration = get_plugins_manager().get_plugin("tests.configurable").configuration
    assert configuration == {
        "endpoint": "https://new.test",
        "notes": "",
        "sandbox": True,
        "api_key": SECRET,
        "password": "hunter22",
        "status": "ready",
    }


def test_unknown_plugins_are_404(admin_client, installed):
    assert admin_client.get(edit_url("nope")).status_code == 404


def test_staff_without_the_permission_are_turned_away(
    client, django_user_model, installed
):
    staff = django_user_model.objects.create_user(
        email="staff@example.com", password="x", is_staff=True
    )
    staff.user_permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )
    client.force_login(staff)

    denied = [client.get(INDEX_URL), client.post(edit_url("flat-rate-taxes"), {})]
    staff.user_permissions.add(Permission.objects.get(codename="manage_plugins"))
    allowed = client.get(INDEX_URL)

    assert [(r.status_code, r.url) for r in denied] == [(302, "/admin/")] * 2
    assert allowed.status_code == 200
    assert PluginConfiguration.objects.get(plugin_id="flat-rate-taxes").active is True
