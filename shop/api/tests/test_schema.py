import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_lists_only_the_public_api(client):
    response = client.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/products/" in schema["paths"]
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_the_interactive_docs_load_their_assets_from_this_server(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/schema/" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert [s for s in sources if s.startswith(("http://", "https://", "//"))] == []


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
    )

    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")
