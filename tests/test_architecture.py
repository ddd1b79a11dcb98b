"""The layering of DESIGN.md section 2, read from the source: core/ never imports Streamlit or
Plotly, and no module of core imports itself back through another (imports under TYPE_CHECKING,
which never run, are left out)."""
import ast
from pathlib import Path

from conftest import ROOT

CORE = ROOT / "core"


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(modules of core it imports, top-level names of outside packages it imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(node) for branch in ast.walk(tree) if isinstance(branch, ast.If)
               and "TYPE_CHECKING" in ast.unparse(branch.test) for node in ast.walk(branch)}
    package = module_of(path).split(".") if path.name == "__init__.py" else module_of(path).split(".")[:-1]
    inside, outside = set(), set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            inside.add(".".join(base + ([node.module] if node.module else [])))
        elif isinstance(node, ast.ImportFrom):
            outside.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            outside |= {alias.name.split(".")[0] for alias in node.names}
    return inside, outside


def graph() -> dict[str, set[str]]:
    return {module_of(path): imports_of(path)[0] for path in CORE.rglob("*.py")}


def test_core_never_imports_streamlit_or_plotly():
    for path in CORE.rglob("*.py"):
        assert not imports_of(path)[1] & {"streamlit", "plotly"}, path


def test_core_has_no_import_cycle():
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        for target in sorted(edges.get(module, ())):
            assert target not in path, " -> ".join(path + [target])
            if target in edges and target not in done:
                visit(target, path + [target])
        done.add(module)

    for module in sorted(edges):
        visit(module, [module])


def test_the_cycle_check_sees_a_cycle(tmp_path, monkeypatch):
    """The check above can fail: two modules that import each other are reported."""
    edges = {"core.a": {"core.b"}, "core.b": {"core.a"}}
    monkeypatch.setattr(__import__(__name__), "graph", lambda: edges)
    try:
        test_core_has_no_import_cycle()
    except AssertionError as error:
        assert "core.a -> core.b -> core.a" in str(error)
    else:
        raise AssertionError("a cycle went unseen")


def test_pages_talk_to_ui_only():
    """Pages import ui (and Streamlit, pandas), never core or torch: one way through the layers."""
    for path in (ROOT / "pages").glob("*.py"):
        assert not imports_of(path)[1] & {"core", "torch"}, path
