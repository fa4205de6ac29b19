"""The twelve-factor checker package, imported from the template itself.

Every generated project ships ``tools/twelve_factor/`` copied without rendering, so the copy in
the template is the one source of what it knows: the checks, and the facts the hooks and the
template's tests share with it (package-name normalisation, requirement strings, the pip lock
stamp, uv.lock reading, the variables a settings module reads). It is stdlib-only, so the hooks
can import it with nothing installed.

It is imported under its own top-level name, ``twelve_factor`` (its modules import each other
relatively), without writing bytecode: a ``__pycache__`` in the template would be copied into
every project.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[2]
PACKAGE_DIR = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "tools" / "twelve_factor"
NAME = "twelve_factor"
# The package inside a generated project, relative to its root.
PROJECT_PACKAGE = "tools/twelve_factor"


def load() -> types.ModuleType:
    """The checker package (imported once per process)."""
    loaded = sys.modules.get(NAME)
    if loaded is not None and Path(str(loaded.__file__)).parent == PACKAGE_DIR:
        return loaded
    for name in [n for n in sys.modules if n == NAME or n.startswith(f"{NAME}.")]:
        del sys.modules[name]  # another copy (an installed one): its modules must not mix in
    spec = importlib.util.spec_from_file_location(
        NAME, PACKAGE_DIR / "__init__.py", submodule_search_locations=[str(PACKAGE_DIR)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    writes_bytecode = sys.dont_write_bytecode
    # Bytecode beside the sources would be copied into every project; under a pycache prefix
    # (PYTHONPYCACHEPREFIX) it lands outside the template, and later imports reuse it.
    sys.dont_write_bytecode = writes_bytecode or sys.pycache_prefix is None
    try:
        spec.loader.exec_module(module)
        for name in ("packages", "settings", "registry", "cli", "factors"):
            importlib.import_module(f"{NAME}.{name}")
    except BaseException:
        for name in [n for n in sys.modules if n == NAME or n.startswith(f"{NAME}.")]:
            del sys.modules[name]
        raise
    finally:
        sys.dont_write_bytecode = writes_bytecode
    return module


twelve_factor = load()
packages = sys.modules[f"{NAME}.packages"]
settings = sys.modules[f"{NAME}.settings"]
