import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_answers_without_touching_services(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_redis(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checked": ["database", "redis"]}


@pytest.mark.django_db
def test_readyz_stays_ready_but_degraded_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checked": ["database", "redis"],
        "failures": {"redis": "redis unreachable: ConnectionError"},
    }


@pytest.mark.django_db
def test_readyz_is_503_when_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "failures": {"database": "database unreachable: OperationalError"},
    }


def test_readyz_skips_redis_when_not_configured(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr("shop.core.health._check_database", lambda: None)

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checked": ["database"]}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_on_the_pods_own_address_over_http(client, settings, path):
    # The kubelet sends the pod's IP as Host, over plain http.
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(path, HTTP_HOST="10.42.0.17:8000")

    assert response.status_code == 200
    assert client.get("/", HTTP_HOST="10.42.0.17:8000").status_code == 400
