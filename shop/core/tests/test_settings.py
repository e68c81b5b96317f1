"""Every setting the code reads is declared in shop/settings/, with its default
there and nowhere else: no ``getattr(settings, NAME, default)`` in the code."""

import ast
from pathlib import Path

from django.conf import settings

from shop.settings import base

PACKAGES = ("shop", "cms", "recommend", "themes", "bench")
SKIPPED_DIRS = {"tests", "migrations", "settings"}


def source_files():
    root = Path(settings.BASE_DIR)
    yield from root.glob("*.py")
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            if not SKIPPED_DIRS & set(path.relative_to(root).parts[:-1]):
                yield path


def settings_reads(tree: ast.AST):
    """``settings.NAME`` reads and ``getattr(settings, ...)`` calls."""
    reads, getattrs = set(), set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "settings"
            and node.attr.isupper()
        ):
            reads.add(node.attr)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "settings"
        ):
            getattrs.add(ast.unparse(node))
    return reads, getattrs


def test_every_setting_read_is_declared_in_the_settings_package():
    read, getattrs = set(), {}
    for path in source_files():
        names, calls = settings_reads(ast.parse(path.read_text(), str(path)))
        read |= names
        if calls:
            getattrs[str(path)] = sorted(calls)

    assert getattrs == {}
    assert sorted(name for name in read if not hasattr(base, name)) == []
    assert {"WEBHOOK_MAX_ATTEMPTS", "PLUGINS", "RECOMMEND"} <= read


def test_every_environment_variable_the_settings_read_is_in_the_readme():
    root = Path(settings.BASE_DIR)
    readers = {"env_str", "env_int", "env_bool", "env_list", "env_float"}
    variables = {"DJANGO_SETTINGS_MODULE"}
    for path in (root / "shop" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in readers
            ):
                variables.add(node.args[0].value)
    readme = (root / "README.md").read_text()

    assert sorted(v for v in variables if f"`{v}`" not in readme) == []
