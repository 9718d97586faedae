"""What the Go, Java and TypeScript outputs share: the operation kinds none generates yet.

Their naming passes call `refuse_kinds_not_generated` for every operation, so a
contract they cannot serve stops with one located error, worded the same way.
"""

from protoc_gen_nexus import model
from protoc_gen_nexus.errors import GenerationError

_NOT_GENERATED = {
    "async_update": "an asynchronous update (workflow_update.asynchronous)",
    "activity": "an activity-backed operation (activity)",
}


def refuse_kinds_not_generated(
    operation: model.Operation, owner: str, plugin: str, language: str
) -> None:
    """A located error when `plugin` does not generate `operation`'s kind yet."""
    what = _NOT_GENERATED.get(operation.kind)
    if what is not None:
        raise GenerationError(
            f"{owner} is {what}, which {plugin} does not generate yet; leave it out of the "
            f"{language} output with a tag (exclude-operation-tags), or generate this service "
            "for Python only",
            operation.location,
        )
