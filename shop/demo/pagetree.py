"""Bulk insertion of Wagtail pages, for catalogs too large for `add_child`.

`add_child` costs several queries per page (tree lock, numchild update, revision,
search index). Here the treebeard paths are computed up front, the `wagtailcore_page`
rows go in with `bulk_create`, and the specific model's own rows follow. Django's
`bulk_create` refuses multi-table children, so the child rows are inserted raw
through `QuerySet._insert` (the same call `bulk_create` makes for one table).
"""

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import F
from django.utils import timezone
from wagtail.models import Page

BATCH_SIZE = 500


def bulk_add_children(parent: Page, pages: Sequence[Page]) -> None:
    """Add `pages` (all of one specific model) as the last live children of `parent`.

    Sets the primary keys on `pages`. Search indexing is left to the caller.
    """
    if not pages:
        return
    model = type(pages[0])
    content_type = ContentType.objects.get_for_model(model)
    parent = Page.objects.get(pk=parent.pk)
    last_child = parent.get_last_child()
    first_step = last_child._get_lastpos_in_path() + 1 if last_child else 1
    depth = parent.depth + 1
    now = timezone.now()
    for offset, page in enumerate(pages):
        page.path = Page._get_path(parent.path, depth, first_step + offset)
        page.depth = depth
        page.numchild = 0
        page.content_type = content_type
        page.locale_id = parent.locale_id
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.draft_title = page.title
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = now

    base_fields = [field.attname for field in Page._meta.concrete_fields]
    base_rows = Page.objects.bulk_create(
        [
            Page(**{name: getattr(page, name) for name in base_fields if name != "id"})
            for page in pages
        ],
        batch_size=BATCH_SIZE,
    )
    for page, row in zip(pages, base_rows, strict=True):
        page.id = page.page_ptr_id = row.id

    using = router.db_for_write(model)
    own_fields = model._meta.local_concrete_fields
    for start in range(0, len(pages), BATCH_SIZE):
        model._base_manager._insert(
            pages[start : start + BATCH_SIZE], fields=own_fields, raw=True, using=using
        )
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
