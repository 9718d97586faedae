"""Other languages' toolchains: a test that needs a missing one skips, or fails on CI.

CI machines have Go, Node.js, Java and Maven and set NEXUSPROTO_REQUIRE_INTEROP=1,
so there a missing toolchain is a failure, never a silent skip.
"""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_INTEROP = "NEXUSPROTO_REQUIRE_INTEROP"


def missing_toolchain(message: str) -> NoReturn:
    """Skip with `message`, or fail with it when NEXUSPROTO_REQUIRE_INTEROP=1."""
    if os.environ.get(REQUIRE_INTEROP) == "1":
        pytest.fail(f"{message}; {REQUIRE_INTEROP}=1 requires them")
    pytest.skip(f"{message} (set {REQUIRE_INTEROP}=1 to fail instead)")


def require_go() -> str:
    """The `go` command, for tests that build or run Go."""
    go = shutil.which("go")
    if go is None:
        missing_toolchain(
            "the Go toolchain is not installed (`go` is not on PATH): the Go tests need "
            "Go 1.26+ and, once, the Go module proxy"
        )
    return go


# Not Path.resolve: test modules that import this one are imported again inside the
# workflow sandbox, which refuses it (__file__ is absolute already).
REPO = Path(__file__).parents[2]

GO_BIN = REPO / "build" / "go" / "bin"
"""Where Go tools the tests use are installed, at pinned versions (kept between runs)."""


def go_tool(name: str, package: str) -> Path:
    """The Go tool `name` in build/go/bin, installed from `package@version` when missing."""
    path = GO_BIN / name
    if not path.exists():
        GO_BIN.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "GOBIN": str(GO_BIN), "GOFLAGS": "-mod=mod"}
        result = subprocess.run(
            [require_go(), "install", package],
            cwd=GO_BIN,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"go install {package}:\n{result.stdout}{result.stderr}"
    return path


MIN_NODE = (20, 3)  # @temporalio/* 1.24
TS_RUNTIME = REPO / "plugin" / "ts"
# The same stamp, with the same inputs, as tests/interop/test_ts.py writes.
TS_STAMP = TS_RUNTIME / "node_modules" / ".nexusproto-inputs-sha256"


def _succeeded(args: list[str], cwd: Path, timeout: float = 600) -> None:
    result = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(args)}:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    )


def require_node() -> tuple[str, str]:
    """`node` (20.3 or newer) and `npm`, for tests that build or run TypeScript."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing_toolchain("Node.js >= 20.3 with npm is not installed: the TypeScript checks need it")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    found = tuple(int(part) for part in version.stdout.strip().lstrip("v").split(".")[:2])
    if found < MIN_NODE:
        missing_toolchain(f"node {version.stdout.strip()} is older than 20.3")
    return node, npm


def ts_runtime() -> tuple[str, Path]:
    """node, and tsc of the runtime package (plugin/ts), installed (`npm ci` from npm's
    cache once per package-lock.json) and built (`tsc -b`, nothing to do when nothing
    changed)."""
    node, npm = require_node()
    lock_file = TS_RUNTIME / "package-lock.json"
    lock = hashlib.sha256(
        lock_file.relative_to(REPO).as_posix().encode() + lock_file.read_bytes()
    ).hexdigest()
    if not (TS_STAMP.is_file() and TS_STAMP.read_text() == lock):
        _succeeded(
            [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
            TS_RUNTIME,
        )
        TS_STAMP.write_text(lock)
    tsc = TS_RUNTIME / "node_modules" / "typescript" / "bin" / "tsc"
    _succeeded([node, str(tsc), "-b", "."], TS_RUNTIME)
    return node, tsc


def ts_project(
    root: Path, include: list[str], *, emit: bool = False, unused_checks: bool = True
) -> Path:
    """A tsconfig in `root`: strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes
    and (unless `unused_checks` is off) noUnusedLocals and noUnusedParameters;
    `node_modules` links to the runtime package (built) as `@nexusproto/runtime` and to
    its dependencies, so one copy of each package is loaded."""
    modules = root / "node_modules"
    modules.mkdir()
    for entry in (TS_RUNTIME / "node_modules").iterdir():
        if not entry.name.startswith("."):
            (modules / entry.name).symlink_to(entry)
    (modules / "@nexusproto").mkdir()
    (modules / "@nexusproto" / "runtime").symlink_to(TS_RUNTIME)
    options: dict[str, object] = {
        "target": "ES2022",
        "module": "node16",
        "moduleResolution": "node16",
        "lib": ["ES2022"],
        "types": ["node"],
        "strict": True,
        "noUncheckedIndexedAccess": True,
        "exactOptionalPropertyTypes": True,
        "skipLibCheck": True,
    }
    if unused_checks:
        options.update({"noUnusedLocals": True, "noUnusedParameters": True})
    options.update({"outDir": "out", "rootDir": "."} if emit else {"noEmit": True})
    config = {"compilerOptions": options, "include": include, "exclude": ["node_modules", "out"]}
    (root / "tsconfig.json").write_text(json.dumps(config, indent=2))
    return root / "tsconfig.json"


JAVA_RUNTIME = REPO / "plugin" / "java"
JAVA_BUILD = REPO / "build" / "java"
MAVEN_REPO = JAVA_BUILD / "m2"


def require_java() -> tuple[str, str]:
    """`javac` and `mvn`, for tests that compile Java."""
    javac, mvn = shutil.which("javac"), shutil.which("mvn")
    if javac is None or mvn is None:
        missing_toolchain(
            "the Java toolchain is not installed (`javac` and `mvn` on PATH): the Java "
            "tests need JDK 17+, Maven and, once, Maven Central"
        )
    return javac, mvn


def java_runtime_classpath(mvn: str) -> str:
    """The jars the Java runtime (plugin/java/pom.xml) compiles against, from the local
    repository in build/java/m2: offline once it holds them (a marker per pom)."""
    pom = JAVA_RUNTIME / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    marker = MAVEN_REPO / ".resolved-runtime"
    out = JAVA_BUILD / "runtime-classpath.txt"
    offline = ["-o"] if marker.exists() and marker.read_text() == digest else []
    if not offline or not out.exists():
        MAVEN_REPO.mkdir(parents=True, exist_ok=True)
        _succeeded(
            [mvn, "-B", "-q", *offline, "-f", str(pom), f"-Dmaven.repo.local={MAVEN_REPO}",
             "dependency:build-classpath", f"-Dmdep.outputFile={out}"],
            REPO,
        )  # fmt: skip
        marker.write_text(digest)
    return out.read_text().strip()
