"""Product events from every path that publishes, unpublishes or deletes a
product page: each test starts from the real trigger and checks the webhook
outbox and the recommender's debounced retrain."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import querydict_from_html

from cms.factories import CategoryPageFactory, ProductPageFactory, VariantFactory
from recommend import tasks
from shop.webhooks import services as webhook_services
from shop.webhooks.models import WebhookDelivery
from shop.webhooks.tests.outbox import outbox, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalog_webhook():
    return subscribe("product_created", "product_updated", "product_deleted")


@pytest.fixture
def retrains(monkeypatch):
    """The retrains handed to Celery (their countdowns), instead of running them."""
    queued = []
    monkeypatch.setattr(
        tasks.retrain_after_change,
        "apply_async",
        lambda countdown: queued.append(countdown),
    )
    return queued


@pytest.fixture(autouse=True)
def queued_deliveries(monkeypatch):
    """Deliveries handed to Celery after the commit (no HTTP in these tests)."""
    queued = []
    monkeypatch.setattr(webhook_services, "enqueue", queued.extend)
    return queued


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def payload(page):
    return {"id": page.pk, "slug": page.slug, "title": page.title}


def draft_product(**fields):
    product = ProductPageFactory(live=False, **fields)
    VariantFactory(product=product)
    return product


def live_product(**fields):
    product = draft_product(**fields)
    product.save_revision().publish()
    product.refresh_from_db()
    WebhookDelivery.objects.all().delete()
    return product


def publish_in_editor(client, page, **changes):
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    data = querydict_from_html(client.get(url).content, form_id="page-edit-form")
    data.update(changes)
    data["action-publish"] = "action-publish"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    page.refresh_from_db()


def test_publishing_in_the_editor_creates_then_updates(
    admin_client, committed, retrains, queued_deliveries
):
    product = draft_product(title="Trail boot")

    with committed():
        publish_in_editor(admin_client, product)
    with committed():
        publish_in_editor(admin_client, product, title="Trail boot II")

    assert product.live is True
    assert outbox() == [
        ("product_created", {**payload(product), "title": "Trail boot"}),
        ("product_updated", payload(product)),
    ]
    # Each delivery is handed to the workers once the change commits.
    assert queued_deliveries == list(
        WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True)
    )
    # Two changes within the debounce window share one retrain.
    assert retrains == [60]


def test_saving_a_draft_sends_nothing(admin_client, committed, retrains):
    product = draft_product()
    url = reverse("wagtailadmin_pages:edit", args=(product.pk,))
    data = querydict_from_html(admin_client.get(url).content, form_id="page-edit-form")

    with committed():
        response = admin_client.post(url, data)

    assert response.status_code == 302
    assert outbox() == []
    assert retrains == []


def test_unpublishing_in_the_admin_deletes(admin_client, committed, retrains):
    product = live_product()

    with committed():
        response = admin_client.post(
            reverse("wagtailadmin_pages:unpublish", args=(product.pk,))
        )

    assert response.status_code == 302
    assert outbox() == [("product_deleted", payload(product))]
    assert retrains == [60]


def test_republishing_after_an_unpublish_creates_again(committed):
    product = live_product()
    product.unpublish()

    with committed():
        product.get_latest_revision().publish()

    assert [event for event, _ in outbox()] == ["product_deleted", "product_created"]


def test_deleting_a_live_product_in_the_admin_deletes(
    admin_client, committed, retrains
):
    product = live_product()
    expected = payload(product)

    with committed():
        response = admin_client.post(
            reverse("wagtailadmin_pages:delete", args=(product.pk,))
        )

    assert response.status_code == 302
    assert outbox() == [("product_deleted", expected)]
    assert retrains == [60]


def test_deleting_a_draft_sends_nothing(admin_client, committed, retrains):
    product = draft_product()

    with committed():
        admin_client.post(reverse("wagtailadmin_pages:delete", args=(product.pk,)))

    assert outbox() == []
    assert retrains == []


def test_deleting_a_category_deletes_its_live_products(committed, retrains):
    category = CategoryPageFactory()
    live = live_product(parent=category)
    draft_product(parent=category)
    expected = payload(live)

    with committed():
        category.delete()

    assert outbox() == [("product_deleted", expected)]
    assert retrains == [60]


def test_publishing_a_revision_in_code(committed, retrains):
    product = draft_product(title="Parka")

    with committed():
        product.save_revision().publish()
    with committed():
        product.title = "Winter parka"
        product.save_revision().publish()

    assert outbox() == [
        ("product_created", {**payload(product), "title": "Parka"}),
        ("product_updated", payload(product)),
    ]
    assert retrains == [60]


def test_scheduled_publishing_sends_when_the_page_goes_live(committed, retrains):
    product = draft_product()
    product.go_live_at = timezone.now() + timedelta(hours=1)
    revision = product.save_revision()
    with committed():
        revision.publish()
    scheduled = outbox()
    # An hour later: the go-live date is in the past.
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])

    with committed():
        call_command("publish_scheduled", verbosity=0)

    product.refresh_from_db()
    assert scheduled == []
    assert product.live is True
    assert outbox() == [("product_created", payload(product))]
    assert retrains == [60]


def test_scheduled_expiry_deletes(committed, retrains):
    product = live_product()
    type(product).objects.filter(pk=product.pk).update(
        expire_at=timezone.now() - timedelta(minutes=1)
    )

    with committed():
        call_command("publish_scheduled", verbosity=0)

    assert outbox() == [("product_deleted", payload(product))]
    assert retrains == [60]


def bulk_action_url(action, *pages):
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", action))
    return url + "?" + "&".join(f"id={page.pk}" for page in pages)


def test_bulk_publish_unpublish_and_delete(admin_client, committed, retrains):
    first, second = draft_product(), draft_product()

    with committed():
        published = admin_client.post(bulk_action_url("publish", first, second))
    with committed():
        unpublished = admin_client.post(bulk_action_url("unpublish", first))
    with committed():
        deleted = admin_client.post(bulk_action_url("delete", second))

    assert [published.status_code, unpublished.status_code, deleted.status_code] == [
        302,
        302,
        302,
    ]
    assert outbox() == [
        ("product_created", payload(first)),
        ("product_created", payload(second)),
        ("product_deleted", payload(first)),
        ("product_deleted", payload(second)),
    ]
    assert retrains == [60]
