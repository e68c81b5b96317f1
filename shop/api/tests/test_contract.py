"""The contract, walked from the generated schema: every operation answers a
bad request with the error body, with a status and a code the schema lists
for that operation."""

import json
import re
import uuid

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "fields", "detail"}
MALFORMED_JSON = '{"broken":'
UNKNOWN = {"integer": "2147480000", "string": "no-such-thing"}


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    with django_db_blocker.unblock():
        call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    return json.loads(path.read_text())


def operations(schema):
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def operation_ids(schema):
    return [f"{method.upper()} {path}" for method, path, _ in operations(schema)]


def _unknown(parameter) -> str:
    kind = parameter["schema"].get("type", "string")
    if parameter["schema"].get("format") == "uuid":
        return str(uuid.uuid4())
    return UNKNOWN.get(kind, "no-such-thing")


def typed_query_parameters(operation) -> list[str]:
    """Query parameters that a nonsense value must fail (numbers, booleans,
    enums); free text may be anything."""
    return [
        p["name"]
        for p in operation.get("parameters", [])
        if p["in"] == "query"
        and (p["schema"].get("type") in ("integer", "number", "boolean"))
        or (p["in"] == "query" and "enum" in p["schema"])
    ]


def bad_request(client, method, path, operation, *, bad_query=False):
    """The operation called with unknown path ids, a malformed JSON body and,
    with `bad_query`, a nonsense value in every typed query parameter."""
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            url = url.replace(f"{{{parameter['name']}}}", _unknown(parameter))
    if bad_query and typed_query_parameters(operation):
        url += "?" + "&".join(
            f"{name}=not-valid" for name in typed_query_parameters(operation)
        )
    body = {}
    if "requestBody" in operation:
        body = {"data": MALFORMED_JSON, "content_type": "application/json"}
    return getattr(client, method)(url, **body)


def assert_documented_error(response, operation):
    assert response.status_code >= 400, response.content
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (
        f"{response.status_code} is not in the schema: {response.content!r}"
    )
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == ERROR_KEYS
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    assert isinstance(error["fields"], dict)
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in error["fields"].values()
    )
    assert error["detail"] is None or isinstance(error["detail"], dict)
    assert f"`{error['code']}`" in documented["description"], (
        f"code {error['code']} is not listed for {response.status_code}"
    )


def test_every_operation_is_walked(schema):
    # A guard against a walk that silently finds nothing.
    assert len(operations(schema)) >= 45


def test_every_operation_answers_bad_credentials_with_the_error_body(schema):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    for method, path, operation in operations(schema):
        authenticates = any("bearerAuth" in s for s in operation.get("security", []))
        if not authenticates and "requestBody" not in operation:
            continue  # the index: nothing to get wrong
        response = bad_request(client, method, path, operation)
        assert_documented_error(response, operation)


def test_every_operation_taking_input_answers_bad_input_with_the_error_body(schema):
    client = APIClient(enforce_csrf_checks=True)
    walked = []

    for method, path, operation in operations(schema):
        takes_input = (
            "requestBody" in operation
            or "{" in path
            or typed_query_parameters(operation)
        )
        if not takes_input:
            continue
        response = bad_request(client, method, path, operation, bad_query=True)
        assert_documented_error(response, operation)
        walked.append(f"{method.upper()} {path}")

    assert len(walked) >= 35


def test_every_error_response_in_the_schema_lists_its_codes(schema):
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert re.search(r"- `[a-z_]+`: ", response["description"]), (
                    f"{method.upper()} {path} {status}"
                )


def test_every_operation_has_a_summary_and_a_description(schema):
    undocumented = [
        f"{method.upper()} {path}"
        for method, path, operation in operations(schema)
        if not operation.get("summary") or not operation.get("description")
    ]

    assert undocumented == []


def request_fields(schema, node, seen):
    """(component, field, property) of every writable field under `node`."""
    components = schema["components"]["schemas"]
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen.add(name)
        node = components[name]
    else:
        name = "inline"
    for field, prop in node.get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        yield name, field, prop
        for inner in (prop, prop.get("items", {})):
            if "$ref" in inner:
                yield from request_fields(schema, inner, seen)


def test_every_request_field_is_described(schema):
    seen = set()
    undescribed = [
        f"{component}.{field}"
        for _, _, operation in operations(schema)
        if "requestBody" in operation
        for component, field, prop in request_fields(
            schema,
            operation["requestBody"]["content"]["application/json"]["schema"],
            seen,
        )
        if not prop.get("description")
        and not schema["components"]["schemas"]
        .get(prop.get("$ref", "/").rsplit("/", 1)[-1], {})
        .get("description")
    ]

    assert undescribed == []


def test_the_shipping_address_of_an_order_has_a_schema(schema):
    order = schema["components"]["schemas"]["Order"]["properties"]

    assert order["shipping_address"]["allOf"][0]["$ref"].endswith("/Address")


def test_checkout_completion_documents_the_dummy_gateways_test_cards(schema):
    complete = schema["paths"]["/api/v1/checkouts/{token}/complete/"]["post"]

    assert "`4242424242424242`: authorized" in complete["description"]
    assert "`4000000000000002`: declined (`card_declined`)" in complete["description"]
