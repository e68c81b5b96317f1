"""Product events from the one place every publishing path goes through.

The page editor, bulk actions, ``manage.py publish_scheduled`` and code calling
``revision.publish()`` or ``page.unpublish()`` all end in Wagtail's
``page_published`` / ``page_unpublished`` signals; deleting a live page (one
page, a bulk delete, or a category with products under it) unpublishes it first,
so it sends ``page_unpublished`` too. What the outside sees is what is live:

- ``product_created``: a product page goes live (first publish, or publish after
  an unpublish or expiry). A draft is not a product to the outside.
- ``product_updated``: a live product page publishes a new revision.
- ``product_deleted``: a live product page stops being live (unpublished,
  expired or deleted). Deleting a draft sends nothing.

A publish scheduled for later sends nothing until ``publish_scheduled`` makes
the page live. The events run inside the change's transaction (Wagtail's
``revision.publish()`` and page deletion are atomic), so plugins write outbox
rows with the change and defer side effects until it commits; Wagtail's
unpublish runs in no transaction of its own, so there the outbox row follows the
page's save.

Telling "created" from "updated" costs one query per publish (was the page live
before this save?); list endpoints and reads are untouched.

The same signals, page moves and variant writes also start new generations of
the catalog's cached reads (cms.readmodel), whatever the page type.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms import readmodel
from cms.models import ProductPage, Variant
from shop.plugins.manager import get_plugins_manager


def product_payload(page: ProductPage) -> dict:
    return {"id": page.pk, "slug": page.slug, "title": page.title}


def remember_whether_live(sender, instance: ProductPage, update_fields=None, **kw):
    # Publishing saves the page already marked live; whether it was live before
    # is only in the database. Saves that leave ``live`` alone are skipped.
    if update_fields is not None and "live" not in update_fields:
        return
    instance._was_live = (
        instance.pk is not None
        and ProductPage.objects.filter(pk=instance.pk, live=True).exists()
    )


def product_published(sender, instance: ProductPage, **kwargs):
    # Wagtail also sends this for a revision scheduled to go live later while the
    # page is not live; nothing is visible yet then.
    if not instance.live:
        return
    # Every publishing path saves this instance (running remember_whether_live)
    # before sending; should one not, "created" is the safe guess for consumers.
    was_live = getattr(instance, "_was_live", False)
    manager = get_plugins_manager()
    announce = manager.product_updated if was_live else manager.product_created
    announce(product_payload(instance))


def product_unpublished(sender, instance: ProductPage, **kwargs):
    # Wagtail sends this only for a page that was live.
    get_plugins_manager().product_deleted(product_payload(instance))


def page_changed(sender, instance: Page, **kwargs):
    """A page went live, stopped being live or moved: a product's own reads
    change; any other page (a category, a home page) changes the tree."""
    if isinstance(instance, ProductPage):
        readmodel.product_changed([instance.pk])
    else:
        readmodel.tree_changed()


def page_moved(sender, instance: Page, **kwargs):
    # Sent with the specific class as sender and a plain Page instance.
    readmodel.tree_changed()
    if issubclass(sender, ProductPage):
        readmodel.product_changed([instance.pk])


def site_saved(sender, **kwargs):
    # A site's root page or hostname is part of every page URL.
    readmodel.tree_changed()


def variant_written(sender, instance: Variant, **kwargs):
    # The variants admin saves variants directly; the page editor's publish
    # writes them too (and publishes the page).
    readmodel.product_changed([instance.product_id])


def connect() -> None:
    pre_save.connect(remember_whether_live, sender=ProductPage)
    page_published.connect(product_published, sender=ProductPage)
    page_unpublished.connect(product_unpublished, sender=ProductPage)
    page_published.connect(page_changed)
    page_unpublished.connect(page_changed)
    post_page_move.connect(page_moved)
    post_save.connect(site_saved, sender=Site)
    post_delete.connect(site_saved, sender=Site)
    post_save.connect(variant_written, sender=Variant)
    post_delete.connect(variant_written, sender=Variant)
