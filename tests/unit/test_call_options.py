"""The typed per-call options are exactly the SDK's: nothing missing, nothing invented.

`nexusproto.WorkflowCallOptions` and `nexusproto.StandaloneCallOptions` are what the
generated callers' `**options` accept and forward to the SDK method below. A new
SDK release that adds a keyword fails this test, instead of leaving users without it.
"""

import inspect
import typing
from collections.abc import Callable
from typing import Any

import pytest
import temporalio.client
import temporalio.workflow

import nexusproto

# What generated code passes itself (the result type comes from the operation
# reference) and so does not offer as an option.
SET_BY_GENERATED_CODE = {"output_type", "result_type"}


def _keywords(method: Callable[..., Any]) -> dict[str, Any]:
    """The keyword-only parameters of the SDK method and their type hints."""
    hints = typing.get_type_hints(method)
    return {
        name: hints[name]
        for name, parameter in inspect.signature(method).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name not in SET_BY_GENERATED_CODE
    }


@pytest.mark.parametrize(
    ("options", "method"),
    [
        (nexusproto.WorkflowCallOptions, temporalio.workflow.NexusClient.start_operation),
        (nexusproto.StandaloneCallOptions, temporalio.client.NexusClient.start_operation),
    ],
    ids=["workflow", "standalone"],
)
def test_typed_options_are_the_sdk_keywords(options: type[Any], method: Callable[..., Any]) -> None:
    sdk = _keywords(method)
    ours = typing.get_type_hints(options)
    assert sorted(ours) == sorted(sdk), "options differ from the SDK's keyword parameters"
    for name, hint in sdk.items():
        assert ours[name] == hint, f"{name}: {ours[name]} here, {hint} in the SDK"
