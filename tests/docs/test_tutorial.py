"""The tutorial's shipping project, built and run the way the tutorial tells a new team to.

docs/examples/tutorial is the team's repository. It is copied into a temporary
directory and generated there by its own scripts: generate.sh (protoc compiles an
image, buf lints it with the tutorial's buf.yaml and generates with its
buf.gen.yaml; no network) and generate_protoc.sh (protoc alone). Then the names
the tutorial uses must be in the generated modules, the team's modules must pass
mypy --strict against them, the team's own tests (test_shipping.py, which start a
dev server through nexusproto.testing) must pass under pytest, and run.py must
work against the suite's dev server with the endpoint created as the tutorial
says. Any example that breaks fails one of these.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest
from support.protoc import BIN, REPO, run_tool, tool_environment
from support.temporal import DevServer, cli_environment
from support.typecheck import mypy_strict

TUTORIAL = REPO / "docs" / "examples" / "tutorial"
TEAM_MODULES = [
    "shipping_service.py",
    "warehouse.py",
    "storefront.py",
    "run.py",
    "test_shipping.py",
]
GENERATED = [
    "buf/validate/validate_pb2.py",
    "buf/validate/validate_pb2.pyi",
    "shipping/v1/shipping_pb2.py",
    "shipping/v1/shipping_pb2.pyi",
    "shipping/v1/shipping_nexus.py",
    "shipping/v1/shipping_nexus_testing.py",
]


def _environment() -> dict[str, str]:
    """The virtualenv's tools first on PATH (python, protoc, buf, the plugins), none of
    the user's Temporal settings, and no bytecode written into the project."""
    env = tool_environment(PYTHONDONTWRITEBYTECODE="1")
    return {k: v for k, v in env.items() if not k.startswith("TEMPORAL_")}


def _run(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return run_tool(argv, cwd, env=env or _environment(), timeout=timeout)


def _copy_of_the_tutorial(into: Path) -> Path:
    shutil.copytree(
        TUTORIAL, into, ignore=shutil.ignore_patterns("__pycache__", "gen", "build")
    )
    return into


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tutorial's repository, generated with buf by its generate.sh."""
    root = _copy_of_the_tutorial(tmp_path_factory.mktemp("tutorial") / "shipping")
    result = _run(["sh", "generate.sh"], cwd=root)
    assert result.returncode == 0, f"generate.sh:\n{result.stdout}{result.stderr}"
    return root


def _classes(module: Path) -> dict[str, set[str]]:
    """Class name -> names of its methods and attributes, read from the source."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(
                    item.target, ast.Name
                ):
                    members.add(item.target.id)
            found[node.name] = members
    return found


def test_buf_generates_what_the_tutorial_names(project: Path) -> None:
    gen = project / "gen"
    written = sorted(
        str(path.relative_to(gen)) for path in gen.rglob("*") if path.is_file()
    )
    assert written == sorted(GENERATED)

    nexus = _classes(gen / "shipping" / "v1" / "shipping_nexus.py")
    operations = {"quote_shipment", "ship_parcel"}
    assert operations <= nexus["ShippingService"]
    assert operations <= nexus["ShippingServiceHandler"]
    for client in ("ShippingServiceNexusClient", "ShippingServiceStandaloneClient"):
        assert (
            operations | {"start_quote_shipment", "start_ship_parcel"} <= nexus[client]
        )
    assert "run" in nexus["ShipParcelWorkflowContract"]
    source = (gen / "shipping" / "v1" / "shipping_nexus.py").read_text(encoding="utf-8")
    assert '@nexusrpc.service(name="shipping.v1.ShippingService")' in source
    assert 'endpoint: str = "shipping"' in source
    assert '"ShipParcelWorkflow"' in source and 'f"ship-{request.order_id}"' in source

    fakes = _classes(gen / "shipping" / "v1" / "shipping_nexus_testing.py")
    assert "ShippingServiceFake" in fakes


def test_protoc_alone_generates_the_same_nexus_modules(
    project: Path, tmp_path: Path
) -> None:
    root = _copy_of_the_tutorial(tmp_path / "shipping")
    result = _run(["sh", "generate_protoc.sh"], cwd=root)
    assert result.returncode == 0, (
        f"generate_protoc.sh:\n{result.stdout}{result.stderr}"
    )
    written = sorted(
        str(path.relative_to(root / "gen"))
        for path in (root / "gen").rglob("*")
        if path.is_file()
    )
    assert written == sorted(GENERATED)
    # The _pb2 modules differ only in the descriptors' JSON names, which buf's
    # image carries and protoc's Python output leaves out; the Nexus code is the same.
    for name in ("shipping_nexus.py", "shipping_nexus_testing.py"):
        by_protoc = root / "gen" / "shipping" / "v1" / name
        by_buf = project / "gen" / "shipping" / "v1" / name
        assert by_protoc.read_text() == by_buf.read_text(), name


def test_the_team_modules_pass_mypy_strict(project: Path) -> None:
    result = mypy_strict(TEAM_MODULES, cwd=project, search_path=project / "gen")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tutorial_tests_pass(project: Path) -> None:
    """`pytest` in the team's repository, as the tutorial runs it: its own dev server."""
    result = _run(
        [str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout, result.stdout


def test_run_py_against_a_dev_server(
    project: Path, dev_server: DevServer, tmp_path: Path
) -> None:
    """The tutorial's last step: the endpoint created with the temporal CLI, then run.py."""
    endpoint = [
        str(BIN / "temporal"),
        "operator",
        "nexus",
        "endpoint",
        "--address",
        dev_server.target,
    ]
    created = _run(
        [
            *endpoint[:4],
            "create",
            *endpoint[4:],
            "--name",
            "shipping",
            "--target-namespace",
            "default",
            "--target-task-queue",
            "shipping",
        ],
        cwd=project,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    try:
        env = cli_environment(
            dev_server.target,
            tmp_path / "no-config.toml",
            namespace="default",
            PATH=tool_environment()["PATH"],
            PYTHONPATH="gen",
            PYTHONDONTWRITEBYTECODE="1",
        )
        ran = _run([str(BIN / "python"), "run.py"], cwd=project, env=env, timeout=60)
        assert ran.returncode == 0, ran.stdout + ran.stderr
        lines = ran.stdout.splitlines()
        assert lines[0] == "storefront: shipping costs 6.15 EUR", ran.stdout
        assert lines[1].startswith("warehouse: order-"), ran.stdout
        assert " shipped as FR-order-" in lines[1], ran.stdout
    finally:
        _run(
            [*endpoint[:4], "delete", *endpoint[4:], "--name", "shipping"], cwd=project
        )
