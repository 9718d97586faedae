"""`nexusproto`: describe and call the Nexus operations of generated contracts.

    nexusproto describe --contracts gen                          # every service
    nexusproto describe --contracts gen payments.v1.PaymentService [--format json]
    nexusproto call --contracts gen payments.v1.PaymentService/ProcessPayment \\
        --data '{"customerId": "...", "orderId": "o-1", "amount": {...}}'
    nexusproto call ... --data @request.json        # or --data - for standard input
    nexusproto call ... --no-wait                   # prints the operation ID
    nexusproto result --contracts gen payments.v1.PaymentService/refund-payment ID

The contract is read from the generated `*_nexus.py` modules (and the `_pb2`
modules beside them) that `--contracts` names: a directory put on the import
path and searched for `*_nexus.py`, or a dotted module name; repeatable.
Services and operations are named by their wire names (`payments.v1.PaymentService`,
`refund-payment`) or their Python names (`PaymentService`, `refund_payment`).

`call` parses the data as proto JSON into the request message, checks it
against the request's buf.validate rules as generated callers do, starts a
standalone Nexus operation on the endpoint (`--endpoint`, else the contract's
default) through the generated `<Service>StandaloneClient`, waits for its
result and prints it as proto JSON on standard output. The operation ID goes
to standard error (`--no-wait` prints it on standard output and returns at once;
`result` waits for such an operation later and prints its result the same way).

Connection settings come from Temporal's environment configuration, as the
`temporal` CLI reads it: the profile named by `--profile` or `TEMPORAL_PROFILE`
(else "default") of the config file (`TEMPORAL_CONFIG_FILE`, else the default
location), overridden by `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
`TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, then by `--address` and `--namespace`.
Without any, `localhost:7233` and namespace "default". Payloads use
`nexusproto.converter.data_converter`: the SDK's default encoding (proto JSON),
except that a response holding fields this copy of the contract does not know
is still read (the handler's contract may be newer), and printed without them.
`--data-converter MODULE:ATTRIBUTE` (on `call`, `result` and `describe`) names
another `temporalio.converter.DataConverter` to use instead, importable from
`PYTHONPATH` or a `--contracts` directory: the teams' own, as one with an
encrypting `PayloadCodec` (docs: how-to/encryption.md). `--interceptor` and `--plugin`
(repeatable, `MODULE:ATTRIBUTE` naming an instance or a class made with no
arguments) add `temporalio.client` interceptors and plugins to the connection.
Without these options, `NEXUSPROTO_DATA_CONVERTER`, `NEXUSPROTO_INTERCEPTORS` and
`NEXUSPROTO_PLUGINS` (comma-separated) name them, as for every entry point (see
`nexusproto.configuration`). `describe` only checks that these load, so one set of
options serves every command.

Tracing: with OpenTelemetry installed (the `opentelemetry` extra), `call` carries
the trace context to the handler (`nexusproto.tracing.TracingInterceptor`) and
continues the trace named by `TRACEPARENT` and `TRACESTATE` in the environment
(W3C trace context, as a script or CI job passes it on), so the handler's span
joins the caller's trace. Spans of the CLI itself are recorded only if a
`--plugin` or `--interceptor` sets up a tracer provider.

Exit statuses (each failure is one line on standard error, no traceback):

     0  success
     2  the request breaks its buf.validate rules (each violation listed; nothing sent)
     3  the handler answered with an error (its Nexus error type, as BAD_REQUEST, and message)
     4  the operation failed, or was canceled or terminated
     5  the operation timed out (schedule-to-close)
     6  cannot connect to the Temporal server (its address named)
     7  the server refused the call (unknown endpoint or namespace, permission, ...)
    64  bad arguments: unknown service or operation (close matches listed), unreadable
        or malformed --data, contracts that cannot be imported, bad configuration
        (as a --data-converter that does not load, or a result it cannot decode)
   130  interrupted (the operation, once started, keeps running)
   141  standard output closed before all was written (as by `| head`), as a shell
        reports for a program that SIGPIPE ended
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from nexusproto.cli import call as _call
from nexusproto.cli import describe as _describe
from nexusproto.cli.call import (
    CANNOT_CONNECT,
    HANDLER_ERROR,
    INVALID_REQUEST,
    OK,
    OPERATION_FAILED,
    REFUSED,
    TIMED_OUT,
    USAGE,
    CallError,
    CallSettings,
)
from nexusproto.contracts import ContractError, Contracts, UnknownNameError, load

__all__ = [
    "CANNOT_CONNECT",
    "HANDLER_ERROR",
    "BROKEN_PIPE",
    "INTERRUPTED",
    "INVALID_REQUEST",
    "OK",
    "OPERATION_FAILED",
    "REFUSED",
    "TIMED_OUT",
    "USAGE",
    "console",
    "main",
]

INTERRUPTED = 130
BROKEN_PIPE = 141

_EXIT_STATUSES = __doc__.split("Exit statuses", 1)[1].split("\n", 1)[1] if __doc__ else ""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits with USAGE: its own 2 is a validation failure here."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    contracts = _Parser(add_help=False)
    contracts.add_argument(
        "--contracts",
        action="append",
        required=True,
        metavar="DIR|MODULE",
        help="where the generated *_nexus.py modules are: a directory (put on the import "
        "path) or a dotted module name; repeatable",
    )
    contracts.add_argument(
        "--data-converter",
        metavar="MODULE:ATTRIBUTE",
        help="the temporalio DataConverter payloads go through, as one with an encrypting "
        "PayloadCodec (default: $NEXUSPROTO_DATA_CONVERTER, else "
        "nexusproto.converter:data_converter)",
    )
    contracts.add_argument(
        "--interceptor",
        action="append",
        default=[],
        metavar="MODULE:ATTRIBUTE",
        help="a temporalio client interceptor (an instance, or a class made with no "
        "arguments) the connection uses; repeatable (default: $NEXUSPROTO_INTERCEPTORS)",
    )
    contracts.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE:ATTRIBUTE",
        help="a temporalio client plugin (an instance, or a class made with no arguments) "
        "the connection uses; repeatable (default: $NEXUSPROTO_PLUGINS)",
    )
    parser = _Parser(
        prog="nexusproto",
        description="Describe and call the Nexus operations of contracts generated by\n"
        "protoc-gen-nexus-python.",
        epilog="exit statuses:\n" + _EXIT_STATUSES,
        formatter_class=formatter,
    )
    version = importlib.metadata.version("nexusproto-runtime")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    describe = commands.add_parser(
        "describe",
        parents=[contracts],
        help="services, operations, messages, rules and defaults",
        description="Without a name, every service found. With SERVICE (or SERVICE/OPERATION),\n"
        "each operation's kind, request and response fields with their buf.validate\n"
        "rules, default endpoint and timeout, and a request template in proto JSON.",
        formatter_class=formatter,
    )
    describe.add_argument("name", nargs="?", metavar="SERVICE[/OPERATION]")
    describe.add_argument("--format", choices=["text", "json"], default="text")
    call = commands.add_parser(
        "call",
        parents=[contracts],
        help="call an operation as a standalone Nexus operation",
        description="Starts SERVICE/OPERATION as a standalone Nexus operation with the request\n"
        "in --data (proto JSON), waits for it and prints its result as proto JSON.",
        epilog="connection: Temporal environment configuration, as the temporal CLI reads it:\n"
        "the profile (--profile, else TEMPORAL_PROFILE, else default) of the config file\n"
        "(TEMPORAL_CONFIG_FILE, else the default one), overridden by TEMPORAL_ADDRESS,\n"
        "TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, then by --address and\n"
        "--namespace. Nothing set: localhost:7233, namespace default.\n\n"
        "exit statuses:\n" + _EXIT_STATUSES,
        formatter_class=formatter,
    )
    call.add_argument("name", metavar="SERVICE/OPERATION")
    call.add_argument(
        "-d",
        "--data",
        metavar="JSON|@FILE|-",
        help="the request in proto JSON, @FILE to read it from a file, - from standard "
        "input; left out for operations taking google.protobuf.Empty",
    )
    call.add_argument("--endpoint", help="Nexus endpoint (default: the contract's)")
    call.add_argument(
        "--id", dest="operation_id", metavar="ID", help="operation ID (default: a fresh one)"
    )
    call.add_argument(
        "--timeout",
        type=_duration,
        metavar="DURATION",
        help="schedule-to-close timeout, as in 30s, 5m, 1h30m (default: the contract's)",
    )
    call.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help="print the operation ID on standard output and return once it started",
    )
    result = commands.add_parser(
        "result",
        parents=[contracts],
        help="wait for an operation started before and print its result",
        description="Waits for the standalone Nexus operation ID (as `call --no-wait` prints\n"
        "it) of SERVICE/OPERATION, whose contract gives the result's type, and prints its\n"
        "result as proto JSON, as `call` does.",
        epilog="exit statuses: as for call (a wrong ID: 7, the server refused it).",
        formatter_class=formatter,
    )
    result.add_argument("name", metavar="SERVICE/OPERATION")
    result.add_argument("operation_id", metavar="ID")
    for command in (call, result):
        command.add_argument("--address", help="host:port of the Temporal frontend")
        command.add_argument("-n", "--namespace", help="namespace the operation runs in")
        command.add_argument("--profile", help="environment configuration profile")
    return parser


def _duration(text: str) -> object:
    try:
        return _call.parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the command line; the exit status (see the module documentation)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        options = _parser().parse_args(argv)
    except SystemExit as exit:  # --help (0) or a usage error (USAGE)
        return exit.code if isinstance(exit.code, int) else USAGE
    try:
        contracts = load(options.contracts)
        # After the contracts: their directories are on the import path.
        client, trace = _call.traced(
            _call.client_options(
                data_converter=options.data_converter,
                interceptors=options.interceptor,
                plugins=options.plugin,
            ),
            os.environ,
        )
        if options.command == "describe":
            return _run_describe(contracts, options.name, options.format, out)
        service, operation = contracts.find(options.name)
        if operation is None:
            raise UnknownNameError(
                f"{options.name!r} names a service; name one of its operations: "
                + ", ".join(op.qualified_name for op in service.operations)
            )
        if options.command == "result":
            settings = CallSettings(
                data=None,
                endpoint=None,
                operation_id=options.operation_id,
                timeout=None,
                wait=True,
                address=options.address,
                namespace=options.namespace,
                profile=options.profile,
                client=client,
            )
            with trace:
                return asyncio.run(
                    _call.result(operation, options.operation_id, settings, stdout=out, stderr=err)
                )
        settings = CallSettings(
            data=options.data,
            endpoint=options.endpoint,
            operation_id=options.operation_id,
            timeout=options.timeout,
            wait=options.wait,
            address=options.address,
            namespace=options.namespace,
            profile=options.profile,
            client=client,
        )
        with trace:
            return asyncio.run(
                _call.call(service, operation, settings, stdout=out, stderr=err, stdin=stdin)
            )
    except (ContractError, UnknownNameError) as error:
        print(f"nexusproto: {error}", file=err)
        return USAGE
    except CallError as error:
        print(f"nexusproto: {error}", file=err)
        return error.status
    except KeyboardInterrupt:
        print("nexusproto: interrupted", file=err)
        return INTERRUPTED


def _run_describe(contracts: Contracts, name: str | None, format: str, out: TextIO) -> int:
    if name is None:
        if format == "json":
            out.write(_describe.as_json([(s, s.operations) for s in contracts.services]))
        else:
            out.write(_describe.overview(contracts.services))
        return OK
    service, operation = contracts.find(name)
    operations = service.operations if operation is None else (operation,)
    if format == "json":
        out.write(_describe.as_json([(service, operations)]))
    else:
        out.write(_describe.service_text(service, operations))
    return OK


def console() -> NoReturn:
    """The `nexusproto` console script."""
    # Ends without interpreter teardown, which the SDK's native threads can crash
    # (see nexusproto.process).
    from nexusproto.process import exit_now

    try:
        status = main()
    except BrokenPipeError:
        # The reader went away (`nexusproto describe | head`): nothing is wrong but
        # the pipe, so no traceback; what is still buffered goes nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = BROKEN_PIPE
    exit_now(status)
