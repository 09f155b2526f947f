"""The layer rule at run time: each package below the UI, imported whole in a fresh Python, loads
no package of a layer above it (nor a sibling of its own layer), and none of Textual, Rich,
textual-serve or torch. import-linter proves the same statically (.importlinter, run in CI);
this proves what an import really drags in, lazy imports at module level included."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers.paths import ROOT

# Top to bottom, as in .importlinter: a package may import only from the layers below its own.
LAYERS = [("cli",), ("ui",), ("check", "classroom"), ("progress", "runner"), ("play",), ("bank",), ("core",)]
FORBIDDEN = ("textual", "rich", "textual_serve", "torch")


def below(package: str) -> set[str]:
    index = next(i for i, layer in enumerate(LAYERS) if package in layer)
    return {name for layer in LAYERS[index + 1 :] for name in layer} | {package}


def loaded_by(package: str) -> list[str]:
    """Every module in sys.modules after importing each module of ``quiz_app.<package>``."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"import quiz_app.{package} as pkg\n"
        "for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize("package", [name for layer in LAYERS[2:] for name in layer])
def test_each_domain_package_loads_nothing_above_it_and_no_ui_or_torch(package: str) -> None:
    modules = loaded_by(package)
    assert [m for m in modules if m.split(".")[0] in FORBIDDEN] == []
    ours = {m.split(".")[1] for m in modules if m.startswith("quiz_app.")}
    assert ours <= below(package), f"quiz_app.{package} loads {sorted(ours - below(package))}"


def test_the_rule_is_the_one_import_linter_checks() -> None:
    """The layers listed here are those of .importlinter, in the same order."""
    config = (ROOT / ".importlinter").read_text(encoding="utf-8")
    block = config.split("layers =", 1)[1].split("\n\n", 1)[0]
    listed = [tuple(part.strip().removeprefix("quiz_app.") for part in line.split("|")) for line in block.split("\n")]
    assert [layer for layer in listed if layer != ("",)] == LAYERS


def test_no_import_circle_outside_the_uis_type_annotations() -> None:
    """No two modules import each other, directly or around a loop, counting every import that runs
    (lazy ones inside functions too). Only type annotations may close a loop, and only inside ui/
    (Textual's pattern: screens name the app they belong to)."""
    import grimp

    def circles(graph: grimp.ImportGraph) -> list[set[str]]:
        found = []
        for module in sorted(graph.modules):
            for imported in graph.find_modules_directly_imported_by(module):
                if graph.chain_exists(importer=imported, imported=module):
                    found.append({module, imported})
        return found

    assert circles(grimp.build_graph("quiz_app", exclude_type_checking_imports=True)) == []
    typed = circles(grimp.build_graph("quiz_app", exclude_type_checking_imports=False))
    assert all(name.startswith("quiz_app.ui.") for pair in typed for name in pair), typed
