"""Settings shared by every environment; each value can come from the environment."""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

from .env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "shop.core",
    "shop.accounts",
    "shop.cart",
    "shop.stock",
    "shop.api",
    "shop.plugins",
    "shop.webhooks",
    "shop.checkout",
    "shop.orders",
    "shop.payments",
    "shop.discounts",
    "cms",
    "recommend",
    "themes",
    "shop.demo",
    "shop.storefront",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    # First: every answer, redirects and refusals included, gets its request
    # id and is counted (shop.core.logs, shop.core.metrics).
    "shop.core.logs.RequestIdMiddleware",
    "shop.core.metrics.MetricsMiddleware",
    "shop.core.health.ProbesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shop.core.csp.ShopCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shop.core.middleware.QueryStringGuardMiddleware",
    # Before the session: anonymous catalog pages served whole from the cache.
    "themes.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "themes.middleware.ThemeMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

# Storefront themes: the loader looks in themes/<active>/templates, then the default.
THEMES_DIR = BASE_DIR / "themes"
DEFAULT_THEME = "default"
# Each theme's static files are served under its name: {% static "<theme>/css/..." %}.
STATICFILES_DIRS = [
    (path.parent.name, path) for path in sorted(THEMES_DIR.glob("*/static"))
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            # Cached per (active theme, template name); see themes.loader.
            "loaders": [
                (
                    "themes.loader.CachedLoader",
                    [
                        "themes.loader.ThemeLoader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# The storefront tells personal requests (shop.core.personal) by these cookies;
# themes/default/static/js/storefront.js reads the CSRF cookie by this name.
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# The app serves MEDIA_URL itself (DEBUG does too): production with media on
# the filesystem, which no other server reads.
SERVE_MEDIA = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Wagtail's page editor posts many fields for large StreamFields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# No API payload nests deeper than a handful of levels.
API_JSON_MAX_DEPTH = 32

# How long (seconds) a Redis command may wait, and how long a process goes
# without a Redis server after a failure before it tries again (see
# shop.core.redis_breaker). A hung Redis costs one request this timeout per
# interval, not every request.
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 0.5)
REDIS_CIRCUIT_OPEN_SECONDS = env_float("REDIS_CIRCUIT_OPEN_SECONDS", 5.0)


def redis_cache(url: str, socket_timeout: float = REDIS_SOCKET_TIMEOUT) -> dict:
    """The Django cache on Redis: a failed call degrades to a miss or a skipped
    write (the request goes on), and an open circuit fails calls at once."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            "REDIS_CLIENT_CLASS": "shop.core.redis_breaker.CircuitBreakingRedis",
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": socket_timeout,
            "SOCKET_TIMEOUT": socket_timeout,
        },
    }


# Redis is optional: without it the cache lives in the database and tasks run eagerly.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_table",
        }
    }

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Retrains the recommender; catalog changes also schedule a debounced retrain.
    "recommend-train": {
        "task": "recommend.tasks.train",
        "schedule": float(env_int("RECOMMEND_TRAIN_EVERY_SECONDS", 15 * 60)),
    },
    # Cancels orders whose payment never got a gateway answer (a crashed worker).
    "orders-cancel-abandoned": {
        "task": "shop.orders.tasks.cancel_abandoned_orders",
        "schedule": 5 * 60.0,
    },
    "cart-delete-stale": {
        "task": "shop.cart.tasks.delete_stale_carts",
        "schedule": 24 * 60 * 60.0,
    },
    # Sends webhook deliveries left pending while the broker or a worker was down.
    "webhooks-sweep": {
        "task": "shop.webhooks.tasks.sweep_webhook_deliveries",
        "schedule": 60.0,
    },
}

# The recommender (recommend/): feature weights, blend, decay and serving.
RECOMMEND = {
    # Per-field weights of the content features (0 leaves a field out).
    "FIELD_WEIGHTS": {
        "category": 3.0,
        "gender": 2.0,
        "colors": 1.0,
        "materials": 1.0,
        "sizes": 0.5,
        "brand": 1.0,
        "tags": 0.5,
        "price": 1.0,
        "rating": 0.1,
        "title": 0.5,
        "description": 1.0,
    },
    # Products are compared within blocks (category, then subcategory, then
    # gender) refined until no block is larger than this.
    "MAX_BLOCK_SIZE": 2000,
    # Neighbours kept per product; popular products kept per list.
    "SIMILAR_K": 30,
    "POPULAR_K": 200,
    # Similar products: the blend of the three signals, each scaled to [0, 1]
    # per product first. Popularity is left out (measured: even 0.005 lowers
    # label agreement on a free-text catalog); popular products still fill
    # the list after the similar ones.
    "BLEND": {"content": 0.5, "cooccurrence": 0.5, "popularity": 0.0},
    # Products seen together by n shoppers keep n / (n + this) of their
    # co-occurrence, so that a handful of shoppers do not make a pair.
    "COOCCURRENCE_SHRINK": 5.0,
    "KIND_WEIGHTS": {"view": 1.0, "cart_add": 3.0, "purchase": 5.0, "review": 2.0},
    "POPULARITY_HALF_LIFE_DAYS": 21.0,
    # "For you": each history product's personal list (content, co-occurrence
    # and what shoppers went on to next, each scaled to [0, 1] per product),
    # weighted by recency: the newest product counts most, halved every
    # HISTORY_HALF_LIFE_ITEMS products back; plus popularity. Training tunes
    # these on the shop's own recent interactions; they are the defaults used
    # with fewer than TUNE_MIN_SHOPPERS validation shoppers.
    "PERSONAL": {"content": 0.1, "cooccurrence": 0.5, "next": 1.0, "popularity": 0.05},
    "HISTORY_HALF_LIFE_ITEMS": 3.0,
    "PERSONAL_K": 50,
    # "Next" counts what a shopper went on to within this many products,
    # each step further weighing this much less.
    "NEXT_WINDOW": 10,
    "NEXT_GAP_DECAY": 0.7,
    "TUNE_MIN_SHOPPERS": 50,
    "TUNE_MAX_SHOPPERS": 1000,
    # A shopper's latest interactions used for "for you".
    "HISTORY_LIMIT": 50,
    # Purchased products are not recommended again unless tagged with this.
    "CONSUMABLE_TAG": "consumable",
    # Shard tasks per training run (run in parallel by the Celery workers).
    "SHARDS": env_int("RECOMMEND_SHARDS", 1),
    "RETRAIN_DEBOUNCE_SECONDS": env_int("RECOMMEND_RETRAIN_DEBOUNCE_SECONDS", 60),
    # A published version is kept this long after the next one replaces it, and
    # an unpublished (being written or abandoned) version this long in all.
    "OLD_VERSION_TTL_SECONDS": 10 * 60,
    "BUILD_TTL_SECONDS": 60 * 60,
    # Results go to REDIS_URL; without it, to their own database table.
    "KEY_PREFIX": "rec",
    # How long the database popularity fallback is reused (in process memory).
    "FALLBACK_CACHE_SECONDS": 60,
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "shop@localhost")

WAGTAIL_SITE_NAME = env_str("SITE_NAME", "Shop")
# Admin avatars are uploaded, never fetched from gravatar.com.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nothing may reach the network at run time (the admin would ask wagtail.org).
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_USER_LOGIN_FORM = "shop.accounts.forms.AdminLoginForm"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

DEFAULT_CURRENCY = env_str("DEFAULT_CURRENCY", "USD")
# Most units of one variant a cart line may hold (stock may cap it lower).
CART_MAX_LINE_QUANTITY = env_int("CART_MAX_LINE_QUANTITY", 50)
# Anonymous carts untouched this long are deleted (daily, by Celery beat).
CART_ANONYMOUS_TTL_DAYS = env_int("CART_ANONYMOUS_TTL_DAYS", 30)
# Proxies in front of the app that append the address they saw to
# X-Forwarded-For; 0: clients connect directly and the header is ignored (a client
# can write anything there). Every throttle and log reads the client address
# through shop.core.clients.client_address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Sign-in, sign-up and password attempts allowed per client address; empty: no limit.
AUTH_THROTTLE_RATE = env_str("AUTH_THROTTLE_RATE", "10/min") or None
# Failed sign-ins (API and admin) allowed per account and per client address;
# past either, sign-in is refused until the window (counted from the first
# failure) ends, whatever the password. None: no limit of that kind.
SIGN_IN_FAILURE_LIMITS = {"account": 5, "address": 20}
SIGN_IN_FAILURE_WINDOW_SECONDS = 15 * 60
# The page that asks for a new password; the reset email links to it with
# ?uid=...&token=... appended. Empty: the storefront's reset page on the
# default Wagtail Site (which `bootstrap` points where the shop is served).
PASSWORD_RESET_URL = env_str("PASSWORD_RESET_URL", "")
# `bootstrap` seeds demo data and a demo admin with public passwords only when
# this is on (the dev settings) or when asked with --demo.
BOOTSTRAP_DEMO = False
# New reviews are published at once unless moderation is required.
REVIEWS_REQUIRE_MODERATION = env_bool("REVIEWS_REQUIRE_MODERATION", False)

# Outgoing webhooks (shop/webhooks/services.py). A failed attempt is retried
# after RETRY_BASE_SECONDS, doubled after each failure, until MAX_ATTEMPTS.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 5)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 10)
WEBHOOK_CONNECT_TIMEOUT = env_float("WEBHOOK_CONNECT_TIMEOUT", 3.0)
WEBHOOK_READ_TIMEOUT = env_float("WEBHOOK_READ_TIMEOUT", 10.0)
# An attempt in flight this long counts as abandoned (its worker died) and is
# taken up again: keep it well above the two timeouts.
WEBHOOK_CLAIM_SECONDS = env_int("WEBHOOK_CLAIM_SECONDS", 120)
# After the broker refused a delivery, a process leaves new deliveries to the
# sweep this long instead of waiting on the broker in every request.
WEBHOOK_BROKER_PAUSE_SECONDS = env_int("WEBHOOK_BROKER_PAUSE_SECONDS", 30)
# The sweep queues a pending delivery only this long after it was due, leaving
# it to its own task until then.
WEBHOOK_SWEEP_GRACE_SECONDS = env_int("WEBHOOK_SWEEP_GRACE_SECONDS", 30)
# Webhook receivers: https at public addresses only. Plain http is for
# development; receivers inside the shop's network are allowed by address
# (comma-separated networks, e.g. "10.20.0.0/16,192.168.1.7").
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
WEBHOOK_ALLOWED_PRIVATE_NETWORKS = env_list("WEBHOOK_ALLOWED_PRIVATE_NETWORKS")

# Plugins run in this order; installed packages may add more through the
# "shop.plugins" entry-point group.
PLUGINS: list[str] = [
    # Shipping before taxes: the tax plugin taxes the shipping price.
    "shop.plugins.builtin.shipping.ShippingRatesPlugin",
    "shop.plugins.builtin.taxes.FlatRateTaxesPlugin",
    "shop.plugins.builtin.manual_payment.ManualPaymentPlugin",
    "shop.plugins.builtin.dummy_payment.DummyPaymentPlugin",
    "shop.plugins.builtin.email.EmailNotificationsPlugin",
    "shop.webhooks.plugin.WebhooksPlugin",
    "recommend.plugin.RecommendationsPlugin",
]

REST_FRAMEWORK = {
    # Token first: its challenge makes missing or bad credentials a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shop.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "shop.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "shop.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "EXCEPTION_HANDLER": "shop.api.errors.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # Scoped rates (requests per user, else per client address).
    "DEFAULT_THROTTLE_RATES": {
        "recommend-events": env_str("RECOMMEND_EVENTS_RATE", "120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shop API",
    "DESCRIPTION": (
        "Headless commerce API: catalog (categories, products, collections, "
        "reviews), accounts, cart, checkout, orders, recommendations and "
        "interaction events.\n\n"
        'Conventions: amounts are `{"amount": "12.30", "currency": '
        '"USD"}`, net/gross pairs `{"net": …, "gross": …}`; every error '
        'is `{"error": {"code", "message", "fields", "detail"}}` '
        "with the codes each operation lists; lists are paginated with `page` "
        "and `page_size`; headless clients send `Authorization: Bearer <token>` "
        "and keep an anonymous cart by its `X-Cart-Token`, with no cookies and "
        "no CSRF token; checkout completion takes an `Idempotency-Key`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "PREPROCESSING_HOOKS": ["shop.api.schema.public_api_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "shop.api.schema.document_common_errors",
    ],
    # Several models have a "status": name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "shop.orders.models.OrderStatus",
        "PaymentStatusEnum": "shop.payments.models.PaymentStatus",
    },
    # Docs assets ship with the sidecar package: nothing is fetched from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Content-Security-Policy (django-csp, see shop.core.csp): everything from this
# origin only, no inline scripts or styles, no plugins, no framing by other
# sites. Tested in a browser on the storefront and the Wagtail admin
# (shop/core/tests/test_browser_csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
# Added under the Wagtail admin only: its page editor has inline scripts and styles.
CONTENT_SECURITY_POLICY_ADMIN_ADDS = {
    "script-src": [UNSAFE_INLINE],
    "style-src": [UNSAFE_INLINE],
}
# Browser features no page of the shop uses are switched off for it and for
# anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# The port of the Prometheus metrics the Celery worker serves (gunicorn's
# master serves the web processes' on the same variable, see
# deploy/gunicorn.conf.py); 0: none. The image sets 9100.
METRICS_PORT = env_int("METRICS_PORT", 0)

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
