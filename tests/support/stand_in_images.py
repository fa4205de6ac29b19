"""A local stand-in for ``python:X.Y-slim`` when no registry can be reached.

Built from Debian's minbase (debootstrap) with this machine's pyenv CPython copied under
``/usr/local``, tagged with the exact name the generated Dockerfile uses, and cached by a key
that covers the recipe, the CPython version and the local CA files. How and why it is built this
way: docs/container-engines.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from container_engine import Engine, EngineError, ImageInfo, output_tail

from support.engines import cache_dir
from support.system import file_lock

STAND_IN_LABEL = "org.cookiecutter-twelve-factor.stand-in"
_RECIPE_VERSION = "1"
_DEBIAN_SUITE = "bookworm"
_DEBIAN_INCLUDES = (
    "ca-certificates",
    "netbase",
    "tzdata",
    "libsqlite3-0",
    "libssl3",
    "libreadline8",
    "libncursesw6",
    "libnsl2",
)
_DEFAULT_MIRROR = "http://deb.debian.org/debian"
_LOCAL_CA_DIR = Path("/usr/local/share/ca-certificates")


def _local_cas() -> list[Path]:
    if not _LOCAL_CA_DIR.is_dir():
        return []
    return sorted(p for p in _LOCAL_CA_DIR.rglob("*.crt") if p.is_file())


def _pyenv_root() -> Path:
    env = os.environ.get("PYENV_ROOT")
    if env:
        return Path(env)
    exe = shutil.which("pyenv")
    if exe:
        proc = subprocess.run([exe, "root"], capture_output=True, text=True, check=False)
        if proc.returncode == 0 and proc.stdout.strip():
            return Path(proc.stdout.strip())
    return Path.home() / ".pyenv"


def _find_cpython(python_version: str) -> tuple[Path, str]:
    """Newest ``X.Y.Z`` pyenv build for ``X.Y``: (prefix, full version)."""
    versions = _pyenv_root() / "versions"
    found: list[tuple[tuple[int, ...], Path]] = []
    if versions.is_dir():
        for entry in versions.iterdir():
            match = re.fullmatch(re.escape(python_version) + r"\.(\d+)", entry.name)
            if match and (entry / "bin" / f"python{python_version}").exists():
                found.append(((int(match.group(1)),), entry))
    if not found:
        raise EngineError(
            f"no CPython {python_version}.* under {versions} to build the python:"
            f"{python_version}-slim stand-in (install one with pyenv)"
        )
    prefix = max(found)[1]
    return prefix, prefix.name


_COPY_SKIP_DIRS = {"__pycache__", "test", "tests", "idle_test", "tkinter", "idlelib", "turtledemo"}


def _copy_ignore(prefix_name: str) -> Callable[[str, list[str]], set[str]]:
    def ignore(directory: str, names: list[str]) -> set[str]:
        path = Path(directory)
        skip = {n for n in names if n in _COPY_SKIP_DIRS and (path / n).is_dir()}
        skip |= {n for n in names if n.endswith((".pyc", ".pyo"))}
        skip |= {n for n in names if n.startswith("libpython") and n.endswith(".a")}
        skip |= {n for n in names if n.startswith("_tkinter")}
        if path.name == "site-packages":
            skip |= {n for n in names if n != "README.txt"}
        if path.name == "bin":
            skip |= {n for n in names if n.startswith(("pip", "idle")) or n.endswith("-gdb.py")}
        if path.name == "share" and path.parent.name == prefix_name:
            skip |= set(names)  # man pages
        return skip

    return ignore


def _relocate(tree: Path, old_prefix: str, new_prefix: str = "/usr/local") -> int:
    """Rewrite the build prefix in text files (sysconfig data, Makefile, .pc, shebangs)."""
    old, new = old_prefix.encode(), new_prefix.encode()
    changed = 0
    for path in tree.rglob("*"):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 8 * 1024 * 1024:
            continue
        data = path.read_bytes()
        if old not in data or b"\0" in data:
            continue
        mode = path.stat().st_mode
        path.write_bytes(data.replace(old, new))
        path.chmod(mode)
        changed += 1
    return changed


def _umount_below(root: Path) -> None:
    """Unmount anything debootstrap may have left mounted below ``root`` (before deleting it)."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return
    prefix = str(root.resolve()) + "/"
    points = [line.split()[1] for line in mounts if len(line.split()) > 1]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)


def _remove_tree(path: Path) -> None:
    if path.exists():
        _umount_below(path)
        shutil.rmtree(path, ignore_errors=True)


_DEBIAN_SOURCES = """\
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

_DPKG_EXCLUDES = """\
# like debian:bookworm-slim
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
"""


def _rootfs_key() -> str:
    material = "|".join([_RECIPE_VERSION, _DEBIAN_SUITE, *_DEBIAN_INCLUDES])
    return hashlib.sha256(material.encode()).hexdigest()[:12]


def _ensure_rootfs_tarball(cache: Path) -> Path:
    """Cached ``debootstrap --variant=minbase bookworm`` rootfs, trimmed like bookworm-slim."""
    key = _rootfs_key()
    tarball = cache / "rootfs" / f"{_DEBIAN_SUITE}-minbase-{key}.tar"
    if tarball.exists():
        return tarball
    with file_lock(cache / "locks" / "rootfs.lock"):
        if tarball.exists():
            return tarball
        debootstrap = shutil.which("debootstrap") or (
            "/usr/sbin/debootstrap" if Path("/usr/sbin/debootstrap").exists() else None
        )
        if debootstrap is None:
            raise EngineError("debootstrap is missing: run .ci/install-container-engine.sh")
        if os.geteuid() != 0:
            raise EngineError("building the python stand-in image needs root (debootstrap)")
        tarball.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=tarball.parent))
        rootfs = work / "rootfs"
        try:
            mirror = os.environ.get("TWELVE_FACTOR_DEBIAN_MIRROR", _DEFAULT_MIRROR)
            cmd = [
                debootstrap,
                "--variant=minbase",
                f"--include={','.join(_DEBIAN_INCLUDES)}",
                _DEBIAN_SUITE,
                str(rootfs),
                mirror,
            ]
            proc = subprocess.run(
                cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
            )
            if proc.returncode != 0:
                log = rootfs / "debootstrap" / "debootstrap.log"
                detail = log.read_text(errors="replace") if log.exists() else ""
                raise EngineError(
                    f"`{shlex.join(cmd)}` failed with exit code {proc.returncode}\nstderr:\n"
                    f"{output_tail(proc.stderr + proc.stdout + detail)}",
                    cmd=cmd,
                    returncode=proc.returncode,
                    stdout=proc.stdout,
                    stderr=proc.stderr,
                )
            _umount_below(rootfs)
            for rel in ("var/cache/apt", "var/lib/apt/lists", "usr/share/man", "usr/share/locale",
                        "usr/share/info", "tmp", "var/tmp"):  # fmt: skip
                for child in (rootfs / rel).glob("*"):
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
            for doc in (rootfs / "usr/share/doc").rglob("*"):
                if (doc.is_file() or doc.is_symlink()) and doc.name != "copyright":
                    doc.unlink()
            for rel in ("etc/resolv.conf", "etc/hostname", "etc/apt/sources.list"):
                (rootfs / rel).unlink(missing_ok=True)
            (rootfs / "etc/apt/sources.list.d/debian.sources").write_text(_DEBIAN_SOURCES)
            (rootfs / "etc/dpkg/dpkg.cfg.d/docker").write_text(_DPKG_EXCLUDES)
            partial = tarball.with_suffix(".partial")
            subprocess.run(
                ["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(partial),
                 "--exclude=./dev/*", "--exclude=./proc/*", "--exclude=./sys/*", "."],
                check=True, capture_output=True,
            )  # fmt: skip
            partial.replace(tarball)
        finally:
            _remove_tree(work)
    return tarball


def _ensure_base_image(engine: Engine, cache: Path) -> str:
    tag = f"localhost/cookiecutter-twelve-factor/{_DEBIAN_SUITE}-minbase:{_rootfs_key()}"
    if engine.image_exists(tag):
        return tag
    tarball = _ensure_rootfs_tarball(cache)
    with file_lock(cache / "locks" / "base-image.lock"):
        if not engine.image_exists(tag):
            engine.import_tarball(
                tarball,
                tag,
                [
                    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    'CMD ["bash"]',
                ],
            )
    return tag


def _stand_in_key(full_version: str, cas: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for part in (_RECIPE_VERSION, _rootfs_key(), full_version):
        digest.update(part.encode() + b"\0")
    for ca in cas:
        digest.update(ca.name.encode() + b"\0" + ca.read_bytes())
    return digest.hexdigest()[:16]


def _stand_in_dockerfile(base: str, python_version: str, full_version: str, has_cas: bool) -> str:
    ca_steps = ""
    if has_cas:
        ca_steps = (
            "COPY ca/ /usr/local/share/ca-certificates/\n"
            "RUN update-ca-certificates >/dev/null \\\n"
            " && printf '[global]\\ncert = /etc/ssl/certs/ca-certificates.crt\\n' > /etc/pip.conf\n"
            "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\n"
        )
    return f"""\
# Local stand-in for python:{python_version}-slim, generated by tests/container_engine.py
FROM {base}
ENV PATH=/usr/local/bin:$PATH LANG=C.UTF-8 PYTHON_VERSION={full_version}
{ca_steps}COPY python/ /usr/local/
RUN set -eux; \\
    ldconfig; \\
    python{python_version} -m ensurepip --default-pip >/dev/null; \\
    for src in pip3 pydoc3 python3 python3-config; do \\
        dst="$(echo "$src" | tr -d 3)"; \\
        if [ -e "/usr/local/bin/$src" ] && [ ! -e "/usr/local/bin/$dst" ]; then \\
            ln -sT "$src" "/usr/local/bin/$dst"; fi; \\
    done; \\
    python3 -c 'import ssl, sqlite3, ctypes, zlib, bz2, lzma, readline, uuid, decimal, venv'; \\
    python -m venv /tmp/venv-check; /tmp/venv-check/bin/pip --version; rm -rf /tmp/venv-check; \\
    python --version; pip --version; python{python_version} -c 'import sys; print(sys.prefix)'; \\
    find /usr/local -depth -type d -name __pycache__ -exec rm -rf '{{}}' +
CMD ["python3"]
"""


def _stand_in_notice(tag: str, info: ImageInfo) -> str:
    source = info.labels.get(f"{STAND_IN_LABEL}.source", "host CPython")
    return (
        f"NOTE: {tag} is a LOCAL STAND-IN, not the official Docker Hub image: Debian bookworm "
        f"minbase + {source} (built by tests/container_engine.py)"
    )


def ensure_python_base_image(
    engine: Engine, python_version: str, *, allow_pull: bool = True
) -> str:
    """Make sure ``python:<X.Y>-slim`` exists locally; return a one-line notice for test output.

    Docker: an existing image is used, else it is pulled (``allow_pull``), else a stand-in is built.
    Podman: a stand-in is built (see the module docstring) unless a non-stand-in image with that
    tag already exists. Cached: a second call only inspects the image. Safe across processes.
    """
    if not re.fullmatch(r"3\.\d{1,2}", python_version):
        raise ValueError(f"python_version must look like '3.12', got {python_version!r}")
    tag = f"python:{python_version}-slim"
    qualified = f"docker.io/library/{tag}"

    def existing() -> str | None:
        if not engine.image_exists(tag):
            return None
        info = engine.inspect_image(tag)
        key = info.labels.get(STAND_IN_LABEL)
        if key is None:
            return f"{tag}: using the existing local image {info.id[:19]} (not a stand-in)"
        try:
            current = _stand_in_key(_find_cpython(python_version)[1], _local_cas())
        except EngineError:
            current = key  # no source interpreter any more: keep what is there
        if key != current:
            return None  # stale stand-in (other CPython patch release or CA files): rebuild
        return _stand_in_notice(tag, info)

    found = existing()
    if found:
        return found
    pull_error = ""
    if engine.name == "docker" and allow_pull:
        try:
            engine.pull(qualified, timeout=300)
            return f"{tag}: pulled the official image"
        except EngineError as exc:
            pull_error = f" (pull failed: {str(exc).splitlines()[-1][:200]})"

    cache = engine.cache or cache_dir()
    with file_lock(cache / "locks" / f"python-{python_version}.lock"):
        found = existing()
        if found:
            return found
        stale = (
            engine.inspect_image(tag).labels.get(STAND_IN_LABEL)
            if engine.image_exists(tag)
            else None
        )
        prefix, full = _find_cpython(python_version)
        cas = _local_cas()
        key = _stand_in_key(full, cas)
        base = _ensure_base_image(engine, cache)
        tmp_root = cache / "tmp"
        tmp_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"python-{python_version}-", dir=tmp_root) as tmp:
            ctx = Path(tmp)
            shutil.copytree(prefix, ctx / "python", symlinks=True, ignore=_copy_ignore(prefix.name))
            _relocate(ctx / "python", str(prefix))
            if cas:
                (ctx / "ca").mkdir()
                for i, ca in enumerate(cas):
                    shutil.copyfile(ca, ctx / "ca" / f"host-{i:02d}-{ca.name}")
            (ctx / "Dockerfile").write_text(
                _stand_in_dockerfile(base, python_version, full, bool(cas))
            )
            source = f"CPython {full} copied to /usr/local from {prefix}"
            if cas:
                source += f", {len(cas)} host CA certificate(s) trusted"
            tmp_tag = f"localhost/cookiecutter-twelve-factor/python-stand-in:{key}"
            engine.build(
                ctx, tmp_tag, labels={STAND_IN_LABEL: key, f"{STAND_IN_LABEL}.source": source}
            )
        for alias in (qualified, f"{qualified}-bookworm"):
            engine.tag(tmp_tag, alias)
        if stale and stale != key:  # best effort: drop the outdated stand-in's own tag
            engine.cli(
                "rmi", f"localhost/cookiecutter-twelve-factor/python-stand-in:{stale}", check=False
            )
        return _stand_in_notice(tag, engine.inspect_image(tag)) + pull_error
