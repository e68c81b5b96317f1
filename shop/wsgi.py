import os

from django.core.wsgi import get_wsgi_application

from shop.core.checks import require_static_manifest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")

application = get_wsgi_application()
# Without the static manifest every page would answer 500: refuse to start.
require_static_manifest()
