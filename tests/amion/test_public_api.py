"""The product uses only Playwright's public API, so a Playwright upgrade breaks it loudly or not
at all.

Read from the syntax tree, not grepped: every Playwright name the product imports is one that
`playwright.async_api` or `playwright.sync_api` export in `__all__`, and in a module that uses
Playwright no attribute with a leading underscore is touched on anything but the module's own
objects (`self`, `cls`), not even through `getattr`.

Watched while it runs: during real scrapes (a success, a refused code with its evidence, a
time-out), every call from product code into Playwright lands in a public member of a class or
function that `__all__` exports, or of a type their public methods are declared to return
(`expect_navigation`'s event context manager). What the public names do is tested against the
real browser in test_client.py.
"""

from __future__ import annotations

import ast
import importlib
import sys
import typing
from pathlib import Path
from types import CodeType, FrameType

import playwright
import pytest

from schedcu.amion.client import download_exports
from schedcu.amion.simulator import AmionSimulator
from schedcu.errors import AmionLoginFailed, AmionTransient
from tests.amion.conftest import CODE, fast_settings

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


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_attributes(tree: ast.AST) -> list[str]:
    """`x._name` (x not self or cls) and `getattr(x, "_name")`, dunders aside."""
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


def public_code() -> set[CodeType]:
    """The code of every public member of what the public modules export (through each class's
    bases), and of the types those members are declared to return, and so on."""
    waiting: list[object] = []
    for module in PUBLIC_MODULES:
        api = importlib.import_module(module)
        waiting += [getattr(api, name) for name in api.__all__]
    seen: set[int] = set()
    code: set[CodeType] = set()
    while waiting:
        owner = waiting.pop()
        if id(owner) in seen or not getattr(owner, "__module__", "").startswith("playwright"):
            continue
        seen.add(id(owner))
        if isinstance(owner, type):
            waiting += owner.__mro__[1:]
        members = vars(owner).items() if isinstance(owner, type) else [("", owner)]
        for name, member in members:
            if private(name):
                continue
            for function in (member, *(getattr(member, a, None) for a in ("fget", "__func__"))):
                if hasattr(function, "__code__"):
                    code.add(function.__code__)
                    waiting += declared_types(function.__annotations__.get("return"))
    return code


def declared_types(annotation: object) -> list[type]:
    """The classes an annotation names: `X`, `X[Y]`, `Optional[X]`, ..."""
    found = [t for t in (annotation, typing.get_origin(annotation)) if isinstance(t, type)]
    return found + [t for a in typing.get_args(annotation) for t in declared_types(a)]


def test_a_real_scrape_calls_only_public_playwright_code(
    amion: AmionSimulator, chromium: str
) -> None:
    library = str(Path(playwright.__file__).parent)
    product = tuple(str(ROOT / folder) for folder in ("schedcu", "tasks", "flows"))
    public = public_code()
    calls: set[tuple[str, str]] = set()
    private_calls: set[tuple[str, str]] = set()

    def watch(frame: FrameType, event: str, _arg: object) -> None:
        caller = frame.f_back
        if event != "call" or caller is None or not frame.f_code.co_filename.startswith(library):
            return
        if caller.f_code.co_filename.startswith(product):
            where = (frame.f_code.co_filename.removeprefix(library), frame.f_code.co_qualname)
            (calls if frame.f_code in public else private_calls).add(where)

    def scrape(code: str = CODE, **settings: object) -> None:
        download_exports(
            base_url=amion.url,
            code=code,
            months=[(2026, 3), (2026, 4)],
            settings=fast_settings(chromium_cdp_url=chromium, **settings),
        )

    sys.setprofile(watch)
    try:
        scrape()
        with pytest.raises(AmionLoginFailed):
            scrape(code="refused")
        amion.configure(hold_exports=True)
        with pytest.raises(AmionTransient, match="did not answer in time"):
            scrape(amion_timeout_s=0.2)
    finally:
        sys.setprofile(None)
    assert private_calls == set()
    assert ("/async_api/_generated.py", "APIRequestContext.get") in calls  # it did watch
