"""The package's shape: no import cycles, and dependencies that point one way (docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import w2v

PACKAGE = Path(w2v.__file__).parent


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["w2v", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its file (lazy and TYPE_CHECKING imports too).

    Importing ``w2v.a.b`` runs ``w2v.a``'s ``__init__`` first, so that counts as an import of
    ``w2v.a`` for modules outside it; the top package ``w2v`` itself, which only re-exports, is left out.
    """
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[: len(here) - node.level + 1]
                base = ".".join(here + ([node.module] if node.module else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            parts = target.split(".")
            for k in range(len(parts), 1, -1):  # the module itself, then the packages around it
                candidate = ".".join(parts[:k])
                if candidate in known and candidate != name and not name.startswith(candidate + "."):
                    found.add(candidate)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_package_has_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_lazy_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_dependencies_point_one_way():
    graph = _graph()
    below = {  # module prefix -> prefixes it must not import
        "w2v.reference": ["w2v.fast", "w2v.train", "w2v.training.loop", "w2v.cli", "w2v.vectors"],
        "w2v.fast": ["w2v.reference", "w2v.train", "w2v.training.loop", "w2v.cli", "w2v.vectors"],
        "w2v.fast.cpu": ["w2v.fast.cuda", "w2v.fast._cuda_kernels"],
        "w2v.fast.cuda": ["w2v.fast.cpu", "w2v.fast._cpu_kernels"],
        "w2v.config": ["w2v.devices", "w2v.fast", "w2v.reference"],
        "w2v.vectors.word_vectors": ["w2v.train", "w2v.vectors.evaluate", "w2v.cli"],
        "w2v.vectors.evaluate": ["w2v.vectors.plot", "w2v.vectors.report", "w2v.cli"],
        # The folders: text in -> ids knows nothing of training or vectors; the driver's side of
        # training knows no engine; vectors know nothing of how they were trained.
        "w2v.text": ["w2v.training", "w2v.fast", "w2v.reference", "w2v.vectors", "w2v.train", "w2v.cli"],
        "w2v.training": ["w2v.fast", "w2v.reference", "w2v.train", "w2v.cli"],
        "w2v.vectors": ["w2v.training", "w2v.fast", "w2v.reference", "w2v.train", "w2v.cli"],
        "w2v.io": ["w2v.text", "w2v.training", "w2v.fast", "w2v.reference", "w2v.vectors", "w2v.train", "w2v.cli"],
        "w2v._numba": ["w2v.text", "w2v.training", "w2v.fast", "w2v.reference", "w2v.vectors", "w2v.io"],
        "w2v.datasets": ["w2v.training", "w2v.fast", "w2v.reference", "w2v.vectors", "w2v.train", "w2v.cli"],
    }
    wrong = [(module, target) for module, targets in graph.items() for target in targets
             for prefix, banned in below.items() if module == prefix or module.startswith(prefix + ".")
             for ban in banned if target == ban or target.startswith(ban + ".")]
    assert wrong == []


def test_the_book_layers_load_without_the_fast_kernels():
    code = ("import sys, w2v.reference; print(sorted(m for m in sys.modules if m.startswith(("
            "'w2v.fast._cpu_kernels', 'w2v.fast._cuda_kernels', 'w2v.fast.cpu', 'w2v.fast.cuda', 'numba.cuda'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _documented_layers() -> dict[str, int]:
    """docs/architecture.md's "Who imports whom" list: module -> line number (1 = bottom)."""
    doc = (Path(__file__).parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## Who imports whom", 1)[1].split("\n## ", 1)[0]
    layers = {}
    for line in section.splitlines():
        number, _, rest = line.partition(". ")
        if number.isdigit():
            for name in rest.split("`")[1::2]:
                layers[name if name == "w2v" else f"w2v.{name}"] = int(number)
    return layers


def test_the_architecture_note_lists_every_module_and_the_code_follows_its_layers():
    graph, layers = _graph(), _documented_layers()
    assert sorted(layers) == sorted(graph)
    upward = [(module, target) for module, targets in graph.items() for target in targets
              if layers[target] > layers[module]]
    assert upward == []


def test_the_modules_names_before_the_folders_still_import_the_moved_modules():
    import importlib

    from w2v._moved import MOVED

    for old, new in MOVED.items():
        assert importlib.import_module(old) is importlib.import_module(new)
    from w2v import evaluate
    from w2v.classes import word_classes
    from w2v.vectors import classes

    assert evaluate.analogies and word_classes is classes.word_classes
    import w2v

    assert callable(w2v.phrases) and callable(w2v.train)  # aliases never replace the package's functions
