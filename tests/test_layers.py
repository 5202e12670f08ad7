"""The package's layers (issue #16): sources → parameters → models → figures → chapter
toolkit → claims → chapter modules → ledger.

Read from the source with ``ast``, so a forbidden import fails here before any chapter runs.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

import cart_autoimmunity as ca

PACKAGE = Path(ca.__file__).parent
TESTS = Path(__file__).parent
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
#: Where each layer lives, and which layers it may import.
#: ``units`` (constants such as the days in a year) is the floor every layer may stand on.
LAYERS = {
    "units": set(),
    "evidence": {"validation", "units"},
    "parameters": {"validation", "evidence", "units"},
    "numerics": set(),
    "validation": set(),
    # figures: evidence only for the names readers know sources by; numerics for rounding.
    "figures": {"validation", "numerics", "figures", "evidence", "units"},
    "chapter": {"figures", "parameters", "validation", "numerics", "units"},
    "claims": {"validation", "units"},
}
MODELS = (
    "antibodies",
    "beta_cells",
    "burden",
    "clonal_escape",
    "cohort",
    "costs",
    "cytokines",
    "in_vivo",
    "kinetics",
    "meta_analysis",
    "tolerance",
)


def layer_of(path: Path) -> str:
    part = path.relative_to(PACKAGE).parts[0]
    return part.removesuffix(".py")


def package_imports(path: Path) -> set[str]:
    """Top-level package parts (``kinetics``, ``figures``, ...) that a module imports."""
    tree = ast.parse(path.read_text())
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 0 for top-level modules
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            up = node.level - 1  # levels above the module's own package
            if up > depth:
                continue
            base = list(path.relative_to(PACKAGE).parts[: depth - up])
            parts = base + (node.module.split(".") if node.module else [])
            if parts:
                found.add(parts[0].removesuffix(".py"))
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "cart_autoimmunity"
        ):
            parts = node.module.split(".")[1:]
            found.update([parts[0]] if parts else [a.name for a in node.names])
    return found


def test_the_import_reader_sees_layers():
    assert "validation" in package_imports(PACKAGE / "figures" / "cohort.py")
    assert "kinetics" in package_imports(PACKAGE / "cohort.py")
    assert "evidence" in package_imports(PACKAGE / "parameters" / "costs.py")


@pytest.mark.parametrize(
    "path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES]
)
def test_each_layer_imports_only_what_lies_below_it(path):
    layer = layer_of(path)
    imports = package_imports(path) - {layer}
    if layer in LAYERS:
        allowed = LAYERS[layer]
    elif layer in MODELS:
        allowed = {"validation", "numerics", "units", "parameters", "evidence", *MODELS}
    elif layer == "chapters":  # a chapter's argument: everything below it
        allowed = {
            "validation",
            "numerics",
            "units",
            "parameters",
            "evidence",
            "figures",
            "chapter",
            "claims",
            "chapters",
            *MODELS,
        }
    else:  # the package face and the ledger sit on top
        return
    assert imports <= allowed, f"{path.name} imports {sorted(imports - allowed)}"


def test_figures_never_run_a_model():
    for path in (PACKAGE / "figures").glob("*.py"):
        assert not package_imports(path) & set(MODELS), path.name


@pytest.mark.parametrize(
    "path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES]
)
def test_no_private_name_is_used_across_modules(path):
    tree = ast.parse(path.read_text())
    modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            private = [
                a.name
                for a in node.names
                if a.name.startswith("_") and not a.name.startswith("__")
            ]
            assert not private, (
                f"{path.name} imports private {private} from {node.module}"
            )
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            assert not (node.attr.startswith("_") and not node.attr.startswith("__")), (
                f"{path.name} uses {node.value.id}.{node.attr}"
            )


@cache
def called_names(folder: Path) -> frozenset[str]:
    """Every name called in the Python files under ``folder``: ``f(...)`` and ``x.f(...)``
    (read once per folder and run: the tests below ask for it once per figure module)."""
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names.add(node.func.id)
    return frozenset(names)


def uncalled_functions(module: Path, called: set[str]) -> list[str]:
    """The public top-level functions of ``module`` whose name is never called in ``called``."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    public = [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]
    return [name for name in public if name not in called]


@pytest.mark.parametrize(
    "name",
    sorted(p.stem for p in (PACKAGE / "figures").glob("*.py") if p.stem != "__init__"),
)
def test_every_figure_module_has_a_test(name):
    """Every public function of a figure module is called somewhere in tests/; those of a
    private helper module (``_interactive``, ``_shared``) by a figure module or a test."""
    module = PACKAGE / "figures" / f"{name}.py"
    called = called_names(TESTS)
    if name.startswith("_"):
        called |= called_names(PACKAGE / "figures")
    assert uncalled_functions(module, called) == []


def test_figure_modules_are_named_after_model_modules():
    """One axis (issue #19): each public figure module draws the tables of the model module
    of the same name."""
    names = {p.stem for p in (PACKAGE / "figures").glob("*.py")}
    public = {n for n in names if not n.startswith("_")} - {"style"}
    assert public <= set(MODELS), sorted(public - set(MODELS))


def test_an_uncalled_figure_function_is_caught(tmp_path):
    module = tmp_path / "figure.py"
    module.write_text(
        "def drawn():\n    pass\n\n\ndef forgotten():\n    pass\n\n\n"
        "def _helper():\n    pass\n"
    )
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_figure.py").write_text(
        "import figure\n\n\ndef test_drawn():\n    figure.drawn()\n    forgotten = 1\n"
    )
    assert uncalled_functions(module, called_names(tests)) == ["forgotten"]


def test_a_chapter_needs_one_import():
    for name in (
        "kinetics",
        "evidence",
        "figures",
        "chapter",
        "ledger",
        "KineticsParameters",
        "CostParameters",
    ):
        assert hasattr(ca, name), name
    assert set(ca.__all__) <= set(dir(ca))
