"""Start-up checks for production.

Without ``collectstatic`` the manifest storage cannot name any static file, and
every storefront and admin page answers 500. The servers (shop.wsgi, shop.asgi)
refuse to start instead, and ``manage.py check --deploy`` reports it.
"""

from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def static_manifest_missing() -> str | None:
    """Why pages cannot be rendered, when the static manifest is missing."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return None
    storage = staticfiles_storage.manifest_storage
    if storage.exists(staticfiles_storage.manifest_name):
        return None
    return (
        f"The static files manifest {storage.path(staticfiles_storage.manifest_name)} "
        "is missing: run `manage.py collectstatic` (with these settings) before "
        "starting the server, or every page answers 500."
    )


@checks.register(checks.Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs, **kwargs):
    problem = static_manifest_missing()
    return [checks.Error(problem, id="shop.E001")] if problem else []


def require_static_manifest() -> None:
    problem = static_manifest_missing()
    if problem:
        raise ImproperlyConfigured(problem)
