"""The product uses only Playwright's public API, so a Playwright upgrade breaks it loudly or not
at all: every Playwright name it imports is one that `playwright.async_api` or
`playwright.sync_api` export in `__all__`, and in a module that uses Playwright no attribute
with a leading underscore is touched on anything but the module's own objects (`self`, `cls`),
not even through `getattr`. Read from the syntax tree, not grepped: aliases, `import x as y`
and attribute chains cannot slip by. What the public names do is tested against the real
browser in test_client.py.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = sorted(
    path
    for folder in ("schedcu", "tasks", "flows")
    for path in (ROOT / folder).rglob("*.py")
    if "__pycache__" not in path.parts
)
PUBLIC_MODULES = ("playwright.async_api", "playwright.sync_api")
OWN = {"self", "cls"}


def playwright_imports(tree: ast.AST) -> list[tuple[str, str | None]]:
    """(module, name) of every Playwright import; name is None for `import module`."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names if a.name.split(".")[0] == "playwright"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "playwright":
            found += [(node.module or "", a.name) for a in node.names]
    return found


def private_attributes(tree: ast.AST) -> list[str]:
    """`x._name` (x not self or cls) and `getattr(x, "_name")`, dunders aside."""

    def private(name: str) -> bool:
        return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in OWN):
                found.append(f"line {node.lineno}: .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "setattr", "hasattr"}
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and private(node.args[1].value)
        ):
            found.append(f"line {node.lineno}: {node.func.id}(..., {node.args[1].value!r})")
    return found


USERS = [
    path for path in PRODUCT if playwright_imports(ast.parse(path.read_text(), filename=str(path)))
]


def test_the_product_uses_playwright_somewhere() -> None:
    """The checks below are not vacuous: they read the client and the browser module."""
    names = {path.relative_to(ROOT).as_posix() for path in USERS}
    assert {"schedcu/amion/client.py", "schedcu/amion/browser.py"} <= names


@pytest.mark.parametrize("path", PRODUCT, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_playwright_names_come_from_the_public_modules(path: Path) -> None:
    for module, name in playwright_imports(ast.parse(path.read_text(), filename=str(path))):
        assert module in PUBLIC_MODULES, f"{module} is not a public Playwright module"
        if name is not None:
            assert name in importlib.import_module(module).__all__, f"{module}.{name}"


@pytest.mark.parametrize("path", USERS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_private_attribute_in_a_module_that_uses_playwright(path: Path) -> None:
    assert private_attributes(ast.parse(path.read_text(), filename=str(path))) == []


def test_the_checks_catch_what_the_client_did_before() -> None:
    """The removed code of the old client, as the checks see it."""
    old = ast.parse(
        "from playwright._impl._errors import TargetClosedError\n"
        "import playwright._impl._api_structures\n"
        "impl = request._impl_obj\n"
        "owner._sync(make())\n"
        "getattr(page, '_impl_obj')\n"
    )
    modules = [module for module, _ in playwright_imports(old)]
    assert all(module not in PUBLIC_MODULES for module in modules) and len(modules) == 2
    assert len(private_attributes(old)) == 3
