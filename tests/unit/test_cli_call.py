"""`nexusproto call` up to the network, in-process, without any server: the request
data, its validation, the arguments, the connection settings and the exit statuses.

The calls point at a closed local port. A call that gets as far as connecting ends
with "cannot connect" (6); everything checked before that must end otherwise.
"""

from __future__ import annotations

import io
import json
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from nexusproto.cli import main
from nexusproto.cli.call import CallError, connect_settings, parse_duration

GEN = Path(__file__).resolve().parents[2] / "gen"
SERVICE = "payments.v1.PaymentService"
CUSTOMER_ID = "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d"
VALID = json.dumps(
    {
        "customerId": CUSTOMER_ID,
        "orderId": "o-1",
        "amount": {"currency": "EUR", "amountMinor": 5},
    }
)


@pytest.fixture(scope="module")
def closed_address() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(autouse=True)
def no_user_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "TEMPORAL_ADDRESS",
        "TEMPORAL_NAMESPACE",
        "TEMPORAL_API_KEY",
        "TEMPORAL_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEMPORAL_CONFIG_FILE", str(tmp_path / "absent.toml"))


def call(address: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(
        ["call", "--contracts", str(GEN), "--address", address, *args],
        stdout=out,
        stderr=err,
        stdin=io.StringIO(stdin),
    )
    return status, out.getvalue(), err.getvalue()


def test_invalid_request_exits_2_before_connecting(closed_address: str) -> None:
    data = json.dumps(
        {"customerId": "nope", "amount": {"currency": "eur", "amountMinor": 0}}
    )
    status, out, err = call(closed_address, f"{SERVICE}/ProcessPayment", "--data", data)
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        "nexusproto: invalid payments.v1.ProcessPaymentRequest for "
        f"{SERVICE}/ProcessPayment, nothing sent:",
        "  customer_id: must be a valid UUID [string.uuid]",
        "  amount.currency: does not match regex pattern `^[A-Z]{3}$` [string.pattern]",
        "  amount.amount_minor: must be greater than 0 [int64.gt]",
    ]


def test_required_message_missing_exits_2(closed_address: str) -> None:
    status, _, err = call(
        closed_address,
        "carts/AddItem",
        "--data",
        '{"cartId": "c", "sku": "tea", "quantity": 1}',
    )
    assert status == 2
    assert err.splitlines()[1:] == ["  unit_price: value is required [required]"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            [f"{SERVICE}/ProcessPayment", "--data", '{"amount": {"cents": 5}}'],
            f"invalid --data for {SERVICE}/ProcessPayment: not a "
            "payments.v1.ProcessPaymentRequest: amount.cents: unknown field of "
            "payments.v1.Money (fields: currency, amountMinor)",
        ),
        (
            [f"{SERVICE}/ProcessPayment", "--data", "{'orderId': 1}"],
            f"invalid --data for {SERVICE}/ProcessPayment: malformed JSON at line 1 "
            "column 2: Expecting property name enclosed in double quotes",
        ),
        (
            [f"{SERVICE}/ProcessPayment", "--data", '"o-1"'],
            f"invalid --data for {SERVICE}/ProcessPayment: the request must be a JSON "
            "object (a payments.v1.ProcessPaymentRequest), not a string",
        ),
        (
            [f"{SERVICE}/ProcessPayment"],
            f"{SERVICE}/ProcessPayment needs a payments.v1.ProcessPaymentRequest: pass "
            "--data JSON, --data @FILE or --data - (`nexusproto describe` shows a template)",
        ),
        (
            [f"{SERVICE}/CheckHealth", "--data", '{"verbose": true}'],
            f"{SERVICE}/CheckHealth takes no request (google.protobuf.Empty); leave out --data",
        ),
        (
            [f"{SERVICE}/ProcessPayment", "--data", "@/nonexistent/request.json"],
            "cannot read --data file /nonexistent/request.json: No such file or directory",
        ),
        (
            ["orders/place-order", "--data", "{}"],
            "service orders has no default endpoint in its contract; name one with --endpoint",
        ),
        (
            [f"{SERVICE}/ProcesPayment", "--data", "{}"],
            f"service {SERVICE} has no operation 'ProcesPayment'; did you mean ProcessPayment?",
        ),
        (
            ["carts"],
            "'carts' names a service; name one of its operations: carts/AddItem, "
            "carts/RemoveItem, carts/ApplyCoupon, carts/Checkout, carts/GetCart",
        ),
    ],
)
def test_bad_input_exits_64_with_one_line(
    closed_address: str, args: list[str], error: str
) -> None:
    assert call(closed_address, *args) == (64, "", f"nexusproto: {error}\n")


def test_a_wrong_type_names_the_field(closed_address: str) -> None:
    # The rest of the line is protobuf's own wording, which its versions change.
    status, _, err = call(
        closed_address,
        f"{SERVICE}/ProcessPayment",
        "--data",
        '{"amount": {"amountMinor": true}}',
    )
    assert status == 64
    assert err.startswith(
        f"nexusproto: invalid --data for {SERVICE}/ProcessPayment: not a "
        "payments.v1.ProcessPaymentRequest: amount.amountMinor: "
    )
    assert err.count("\n") == 1


@pytest.mark.parametrize("source", ["argument", "file", "stdin"])
def test_a_valid_request_gets_as_far_as_connecting(
    closed_address: str, tmp_path: Path, source: str
) -> None:
    request = tmp_path / "request.json"
    request.write_text(VALID)
    data = {"argument": VALID, "file": f"@{request}", "stdin": "-"}[source]
    status, out, err = call(
        closed_address, f"{SERVICE}/ProcessPayment", "--data", data, stdin=VALID
    )
    assert (status, out) == (6, "")
    assert err == (
        f"nexusproto: cannot connect to Temporal at {closed_address}: Connection refused "
        "(set the address with --address, TEMPORAL_ADDRESS or a profile)\n"
    )


def test_empty_request_needs_no_data(closed_address: str) -> None:
    assert call(closed_address, f"{SERVICE}/CheckHealth")[0] == 6
    assert call(closed_address, f"{SERVICE}/ResetLedger", "--data", "{}")[0] == 6


@pytest.mark.parametrize(
    "args",
    [
        ["call", f"{SERVICE}/CheckHealth"],  # no --contracts
        [
            "call",
            "--contracts",
            str(GEN),
            f"{SERVICE}/CheckHealth",
            "--timeout",
            "soon",
        ],
        ["call", "--contracts", str(GEN), f"{SERVICE}/CheckHealth", "--timeout", "0s"],
        ["invoke", "--contracts", str(GEN)],
        ["describe", "--contracts", str(GEN), "--format", "yaml"],
    ],
)
def test_argument_errors_exit_64_not_argparses_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 64
    assert "nexusproto" in capsys.readouterr().err


def test_help_lists_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "--help"]) == 0
    text = capsys.readouterr().out
    for line in (
        "2  the request breaks its buf.validate rules",
        "3  the handler answered with an error",
        "4  the operation failed, or was canceled or terminated",
        "5  the operation timed out",
        "6  cannot connect to the Temporal server",
        "7  the server refused the call",
        "64  bad arguments",
        "TEMPORAL_PROFILE",
    ):
        assert line in text, line


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30", 30),
        ("30s", 30),
        ("1.5s", 1.5),
        ("500ms", 0.5),
        ("2m", 120),
        ("1h30m", 5400),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "soon", "5x", "1m 5s", "-5s", "0", "inf", "nan"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


CONFIG = """\
[profile.default]
address = "default.example:7233"
namespace = "from-default"

[profile.cloud]
address = "cloud.example:7233"
namespace = "from-cloud"
api_key = "secret"
"""


@pytest.mark.parametrize(
    ("environ", "arguments", "expected"),
    [
        ({}, {}, {"target_host": "localhost:7233", "namespace": "default"}),
        (
            {"TEMPORAL_ADDRESS": "env.example:7233", "TEMPORAL_NAMESPACE": "orders"},
            {},
            {"target_host": "env.example:7233", "namespace": "orders"},
        ),
        (
            {"TEMPORAL_CONFIG_FILE": "{config}"},
            {},
            {"target_host": "default.example:7233", "namespace": "from-default"},
        ),
        (
            {"TEMPORAL_CONFIG_FILE": "{config}", "TEMPORAL_PROFILE": "cloud"},
            {},
            {
                "target_host": "cloud.example:7233",
                "namespace": "from-cloud",
                "api_key": "secret",
                "tls": True,
            },
        ),
        (
            {"TEMPORAL_CONFIG_FILE": "{config}"},
            {"profile": "cloud", "address": "flag.example:7233", "namespace": "flag"},
            {
                "target_host": "flag.example:7233",
                "namespace": "flag",
                "api_key": "secret",
                "tls": True,
            },
        ),
    ],
)
def test_connection_settings_as_the_temporal_cli_reads_them(
    tmp_path: Path,
    environ: dict[str, str],
    arguments: dict[str, str],
    expected: dict[str, object],
) -> None:
    config = tmp_path / "temporal.toml"
    config.write_text(CONFIG)
    env = {key: value.format(config=config) for key, value in environ.items()}
    assert connect_settings(environ=env, **arguments) == expected


def test_an_unknown_profile_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "temporal.toml"
    config.write_text(CONFIG)
    with pytest.raises(CallError) as caught:
        connect_settings(
            profile="staging", environ={"TEMPORAL_CONFIG_FILE": str(config)}
        )
    assert caught.value.status == 64
    assert str(caught.value) == (
        "cannot read the Temporal environment configuration: Profile 'staging' not found"
    )
