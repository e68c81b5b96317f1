import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache.

    The database rolls back between tests but Redis does not: Wagtail's cached
    site root paths from an earlier test would point at pages that are gone.
    """
    cache.clear()
