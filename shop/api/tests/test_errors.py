"""The status table is the single source of error statuses, and views never
catch service errors."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import get_resolver
from rest_framework.test import APIClient

from shop.api.errors import STATUS, ApiErrorCode, exception_handler
from shop.core.errors import ServiceError, service_error_classes

ROOT = Path(settings.BASE_DIR)
VIEW_MODULES = sorted([*ROOT.glob("*/views.py"), *ROOT.glob("*/*/views.py")])


def test_every_declared_error_code_has_a_status():
    # Loading the URL conf imports every view module, hence every service.
    assert get_resolver().url_patterns
    classes = service_error_classes()
    assert {cls.__name__ for cls in classes} >= {
        "AccountError",
        "CartError",
        "CheckoutError",
        "InsufficientStock",
        "OrderError",
        "PaymentError",
        "ReviewError",
        "VoucherError",
    }
    missing = [
        f"{cls.__name__}.{code.name}"
        for cls in [*classes, type("Api", (), {"codes": ApiErrorCode})]
        for code in cls.codes
        if code not in STATUS
    ]
    assert missing == []


def test_a_code_without_a_status_fails_the_check(monkeypatch):
    from shop.cart.services import CartErrorCode

    monkeypatch.delitem(STATUS, CartErrorCode.LINE_NOT_FOUND)

    assert [
        code
        for cls in service_error_classes()
        for code in cls.codes
        if code not in STATUS
    ] == ["line_not_found"]


def test_an_unknown_code_is_refused_at_the_raise():
    from shop.cart.services import CartError

    with pytest.raises(ValueError):
        CartError("no_such_code", "A typo.")


def caught_service_errors(source: str) -> list[str]:
    """Names of service error classes that `except` clauses in `source` name."""
    service_errors = {cls.__name__ for cls in service_error_classes()}
    service_errors.add(ServiceError.__name__)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            for name in ast.walk(node.type):
                label = getattr(name, "id", None) or getattr(name, "attr", None)
                if label in service_errors:
                    found.append(label)
    return found


def test_the_scan_finds_a_caught_service_error():
    source = (
        "try:\n    services.add_line(cart)\n"
        "except (ValueError, services.CartError) as error:\n    raise\n"
    )

    assert caught_service_errors(source) == ["CartError"]


@pytest.mark.parametrize(
    "module", VIEW_MODULES, ids=lambda path: str(path.relative_to(ROOT))
)
def test_no_view_module_catches_a_service_error(module):
    assert caught_service_errors(module.read_text()) == []


def test_the_handler_writes_a_service_error_with_its_field_and_detail():
    from shop.stock.services import InsufficientStock, Shortage

    response = exception_handler(InsufficientStock([Shortage(7, 3, 1)]), {})

    assert response.status_code == 409
    assert response.data == {
        "error": {
            "code": "insufficient_stock",
            "message": "Not enough stock for variants 7.",
            "fields": {},
            "detail": {"variants": [{"variant_id": 7, "requested": 3, "available": 1}]},
        }
    }


@pytest.mark.django_db
def test_nested_input_errors_are_dotted_and_a_wrong_method_is_a_json_405():
    client = APIClient()

    bad = client.post(
        "/api/v1/events/",
        {"events": [{"product": 1, "kind": "view"}, {"product": "x", "kind": "v"}]},
        format="json",
        HTTP_X_SESSION_ID="s1",
    )
    wrong_method = client.put("/api/v1/products/")

    assert sorted(bad.json()["error"]["fields"]) == [
        "events[1].kind",
        "events[1].product",
    ]
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": 'Method "PUT" not allowed.',
            "fields": {},
            "detail": None,
        }
    }
