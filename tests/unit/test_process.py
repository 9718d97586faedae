"""`nexusproto.process`: a process ends with its program's status, without interpreter teardown.

Why it exists is shown by the reliability scenarios, whose worker processes must
exit with status 0 every time (tests/e2e/test_reliability.py); here, that the status,
the atexit handlers and buffered output come out as with `sys.exit`.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import nexusproto


@pytest.mark.parametrize(
    ("body", "status", "stdout", "stderr"),
    [
        ("return None", 0, "buffered\natexit ran\n", ""),
        ("return 3", 3, "buffered\natexit ran\n", ""),
        ("return 'it broke'", 1, "buffered\natexit ran\n", "it broke\n"),
        ("raise SystemExit(4)", 4, "buffered\natexit ran\n", ""),
        ("raise ValueError('boom')", 1, "buffered\natexit ran\n", "ValueError: boom\n"),
    ],
)
def test_run_ends_like_sys_exit(body: str, status: int, stdout: str, stderr: str) -> None:
    program = textwrap.dedent(
        f"""
        import atexit, sys
        import nexusproto.process

        atexit.register(lambda: print("atexit ran"))

        async def main():
            sys.stdout.write("buffered\\n")  # not flushed: exit must flush it
            {body}

        nexusproto.process.run(main())
        print("not reached")
        """
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.returncode == status, result.stderr
    assert result.stdout == stdout
    assert result.stderr.endswith(stderr)


def test_idempotency_key_is_the_operation_and_its_request_id() -> None:
    class Context:
        service = "payments.v1.PaymentService"
        operation = "ProcessPayment"
        request_id = "3f2a"

    ctx = Context()
    assert nexusproto.idempotency_key(ctx) == "payments.v1.PaymentService/ProcessPayment/3f2a"  # type: ignore[arg-type]
    # The workflow-run default ID is the same key, so both agree on what one start is.
    assert nexusproto.default_workflow_id(ctx) == nexusproto.idempotency_key(ctx)  # type: ignore[arg-type]
