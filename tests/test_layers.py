"""The apps stand in layers (README, Layout): a module imports only from its own layer or below,
views and urls aside (a page may link to a page of a higher app), nothing imports the tooling,
and no two modules import each other. Where a lower app must show something of a higher one,
the higher app registers it with the lower (the timeline's kinds)."""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lowest first. Apps of one layer may use each other, never in a circle.
LAYERS = [
    ["toolkit"],
    ["audit"],
    ["accounts"],
    ["notifications"],
    ["oncall"],
    ["clients"],
    [
        "caseplans",
        "crises",
        "diary",
        "documents",
        "exits",
        "outcomes",
        "referrals",
        "register",
        "visits",
        "webhooks",
    ],
    ["records", "supervision"],
    ["icms"],
    ["devtools"],
]
LAYER_OF = {package: level for level, packages in enumerate(LAYERS) for package in packages}
# Modules that may import upward: the pages, which link to pages of any app.
MAY_LOOK_UP = {"views", "urls"}
TOOLING = "devtools"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the module or name imported, dotted
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(path: Path, root: Path) -> Iterator[Import]:
    module = module_name(path, root)
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            yield Import(module, target, node.lineno)


def project_modules(root: Path) -> list[Path]:
    return [
        path
        for package in LAYER_OF
        for path in sorted((root / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def project_imports(root: Path) -> list[Import]:
    return [
        each
        for path in project_modules(root)
        for each in imports_in(path, root)
        if each.target.split(".")[0] in LAYER_OF
    ]


def looks_up(each: Import) -> bool:
    """Whether the import reaches a higher layer from a module that may not."""
    package, *rest = each.module.split(".")
    if rest and rest[0] in MAY_LOOK_UP:
        return False
    return LAYER_OF[each.target.split(".")[0]] > LAYER_OF[package]


def imports_upward(root: Path) -> list[str]:
    return [
        f"{each.module}:{each.line} imports {each.target}"
        for each in project_imports(root)
        if looks_up(each)
    ]


def cycles(root: Path) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a circle, at the top or
    inside a function (an import put off to break a circle is still one): Tarjan's strongly
    connected components of more than one module."""
    modules = {module_name(path, root) for path in project_modules(root)}
    edges: dict[str, set[str]] = {}
    for each in project_imports(root):
        # `from a.b import c` imports a.b, or the module a.b.c
        target = each.target if each.target in modules else each.target.rpartition(".")[0]
        if target in modules and target != each.module:
            edges.setdefault(each.module, set()).add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in edges.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while (top := stack.pop()) != module:
                group.append(top)
            group.append(module)
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_every_app_and_package_has_a_layer():
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "deploy"}
    }

    assert packages == set(LAYER_OF), "give the new package a layer here and in the README"


def test_no_module_imports_from_a_layer_above_its_own():
    assert imports_upward(ROOT) == []


def test_no_two_modules_import_each_other():
    assert cycles(ROOT) == []


def test_nothing_of_the_product_imports_the_tooling():
    assert [
        f"{each.module}:{each.line} imports {each.target}"
        for each in project_imports(ROOT)
        if each.target.split(".")[0] == TOOLING and not each.module.startswith(TOOLING)
    ] == []


def test_no_page_opens_a_transaction():
    """What must be one write is a service's (views have four beats: find through the policy,
    check the action, validate, call a service)."""
    assert [
        f"{each.module}:{each.line}"
        for each in imports_in_pages(ROOT)
        if each.target in {"django.db.transaction", "django.db.transaction.atomic"}
    ] == []


def imports_in_pages(root: Path) -> list[Import]:
    return [
        each
        for path in project_modules(root)
        if path.stem in {"views", "api"}
        for each in imports_in(path, root)
    ]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    for package in LAYER_OF:
        (root / package).mkdir(exist_ok=True)
    return root


def test_the_check_catches_an_upward_import_and_lets_a_view_look_up(tmp_path):
    root = write(
        tmp_path,
        {
            "clients/services.py": "from caseplans.models import CasePlan\n",
            "clients/views.py": "from caseplans.views import plan_detail\n",
            "caseplans/services.py": "from clients.models import YoungPerson\n",
        },
    )

    assert imports_upward(root) == ["clients.services:1 imports caseplans.models.CasePlan"]


def test_the_check_catches_an_upward_import_inside_a_function(tmp_path):
    root = write(
        tmp_path,
        {"accounts/queries.py": "def summary():\n    from clients.models import IntensityLevel\n"},
    )

    assert imports_upward(root) == ["accounts.queries:2 imports clients.models.IntensityLevel"]


def test_the_check_catches_two_modules_importing_each_other(tmp_path):
    root = write(
        tmp_path,
        {
            "supervision/services.py": "def digest():\n    from supervision.tasks import send\n",
            "supervision/tasks.py": "from supervision.services import digest\n",
            "supervision/models.py": "from supervision import services\n",
        },
    )

    assert cycles(root) == [["supervision.services", "supervision.tasks"]]
