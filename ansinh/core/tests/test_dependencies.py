"""Apps import only apps below them (docs/decisions/0005-dependency-order.md)."""

import ast
from pathlib import Path

ANSINH = Path(__file__).resolve().parents[2]

# Lower index = lower layer. Apps on the same layer may not import each other either.
LAYERS = [
    {"core"},
    {"jobs"},
    {"audit"},
    {"geo"},
    {"accounts"},
    {"registry"},
    {"poverty"},
    {"reviews"},
    {"programs"},
    {"assistance"},
    {"directives", "reports"},
    {"demo"},
]
LAYER_OF = {app: index for index, layer in enumerate(LAYERS) for app in layer}


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    apps: set[str] = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) >= 2 and parts[0] == "ansinh":
                apps.add(parts[1])
    return apps


def test_every_app_is_placed_in_a_layer():
    apps = {p.name for p in ANSINH.iterdir() if (p / "apps.py").exists()}
    assert apps <= set(LAYER_OF), f"apps missing from LAYERS: {sorted(apps - set(LAYER_OF))}"


def test_lower_apps_never_import_higher_ones():
    violations = []
    for path in ANSINH.rglob("*.py"):
        relative = path.relative_to(ANSINH)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        app = relative.parts[0]
        if app not in LAYER_OF:
            continue
        for imported in _imported_apps(path):
            if imported != app and imported in LAYER_OF and LAYER_OF[imported] >= LAYER_OF[app]:
                violations.append(f"{relative} imports ansinh.{imported}")
    assert not violations, "\n".join(sorted(violations))
