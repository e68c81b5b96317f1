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


# Strings whose length their format or choices bound already.
BOUNDED_FORMATS = {"uuid", "date", "date-time", "decimal", "binary"}
# An anchored pattern of a bounded repeat, e.g. ^[a-z]{1,64}$.
BOUNDED_PATTERN = re.compile(r"^\^.*\{\d+(,\d+)?\}\$$")


def unbounded_strings(node, where, components):
    while "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[1]]
    for key in ("allOf", "oneOf", "anyOf"):
        for part in node.get(key, []):
            yield from unbounded_strings(part, where, components)
    if (
        node.get("type") == "string"
        and "enum" not in node
        and node.get("format") not in BOUNDED_FORMATS
        and "maxLength" not in node
        and not BOUNDED_PATTERN.match(node.get("pattern", ""))
    ):
        yield where
    if "items" in node:
        yield from unbounded_strings(node["items"], f"{where}[]", components)
    for name, field in node.get("properties", {}).items():
        if not field.get("readOnly"):
            yield from unbounded_strings(field, f"{where}.{name}", components)


def test_every_string_a_client_sends_has_its_length_limit_in_the_schema(client):
    schema = client.get(
        "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    components = schema["components"]["schemas"]

    unbounded = [
        where
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for media in operation.get("requestBody", {}).get("content", {}).values()
        for where in unbounded_strings(
            media["schema"], f"{method.upper()} {path}", components
        )
    ]

    assert unbounded == []
