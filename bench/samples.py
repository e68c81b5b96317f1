"""What the harness measures on a seeded catalog, printed as one JSON object.

Run inside Django (`manage.py shell -c`) by bench.harness: product ids spread
evenly over the whole catalog, the storefront paths of those products and of
every category page, and the anonymous session ids with the longest histories.
"""

import json
import random

from django.db.models import Count
from wagtail.models import Site

from cms.models import CategoryPage, ProductPage
from recommend.models import Interaction


def storefront_path(url_path: str, root_path: str) -> str:
    """A page's path on the default site: its url_path less the site root's."""
    return "/" + url_path.removeprefix(root_path)


def samples(sample: int) -> dict:
    rows = list(ProductPage.objects.live().order_by("pk").values_list("pk", "url_path"))
    step = max(1, len(rows) // sample)
    picked = rows[::step][:sample]
    random.Random(0).shuffle(picked)
    root_path = Site.objects.get(is_default_site=True).root_page.url_path
    categories = CategoryPage.objects.live().order_by("path")
    sessions = (
        Interaction.objects.exclude(session_id="")
        .values("session_id")
        .annotate(events=Count("id"))
        .order_by("-events", "session_id")
        .values_list("session_id", flat=True)[:sample]
    )
    return {
        "product_ids": [pk for pk, _ in picked],
        "product_paths": [storefront_path(path, root_path) for _, path in picked],
        "category_paths": [
            storefront_path(path, root_path)
            for path in categories.values_list("url_path", flat=True)
        ],
        "session_ids": list(sessions),
    }


def main(sample: int) -> None:
    print(json.dumps(samples(sample)))
