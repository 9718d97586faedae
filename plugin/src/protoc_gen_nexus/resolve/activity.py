"""`(nexusproto.v1.operation).activity`: the activity an operation starts, checked.

Temporal refuses an activity without a schedule-to-close or start-to-close
timeout, and a retry policy whose numbers contradict each other; both are
generation errors here, pointing at the option, rather than failed starts at
run time.
"""

from typing import Any

from protoc_gen_nexus import model
from protoc_gen_nexus.errors import GenerationError, Location
from protoc_gen_nexus.resolve.durations import positive_duration
from protoc_gen_nexus.resolve.workflow_run import id_template

_OPTION = "(nexusproto.v1.operation).activity"


def activity_binding(
    option: Any, input_type: model.Message, location: Location
) -> model.ActivityBinding:
    activity_type = option.activity_type
    if not activity_type or activity_type != activity_type.strip():
        raise GenerationError(
            f"{_OPTION} needs activity_type, the name of the activity to start, without "
            "surrounding whitespace",
            location,
        )

    def duration(field: str) -> Any:
        if not option.HasField(field):
            return None
        return positive_duration(getattr(option, field), f"{_OPTION}.{field}", location)

    schedule_to_close = duration("schedule_to_close_timeout")
    start_to_close = duration("start_to_close_timeout")
    if schedule_to_close is None and start_to_close is None:
        raise GenerationError(
            f"{_OPTION} needs schedule_to_close_timeout or start_to_close_timeout: Temporal "
            "starts no activity without one. Set start_to_close_timeout to how long one "
            "attempt may take",
            location,
        )
    template = option.id_template
    return model.ActivityBinding(
        activity_type=activity_type,
        id_template=id_template(template, input_type, location, "activity") if template else (),
        task_queue=option.task_queue.strip(),
        schedule_to_close_timeout=schedule_to_close,
        start_to_close_timeout=start_to_close,
        heartbeat_timeout=duration("heartbeat_timeout"),
        retry_policy=(
            _retry_policy(option.retry_policy, location)
            if option.HasField("retry_policy")
            else None
        ),
    )


def _retry_policy(option: Any, location: Location) -> model.RetryPolicy:
    where = f"{_OPTION}.retry_policy"

    def duration(field: str) -> Any:
        if not option.HasField(field):
            return None
        return positive_duration(getattr(option, field), f"{where}.{field}", location)

    initial, maximum = duration("initial_interval"), duration("maximum_interval")
    if initial is not None and maximum is not None and maximum < initial:
        raise GenerationError(
            f"{where}.maximum_interval is shorter than initial_interval; Temporal refuses "
            "such a policy",
            location,
        )
    coefficient = option.backoff_coefficient
    if coefficient and coefficient < 1:
        raise GenerationError(
            f"{where}.backoff_coefficient is {coefficient:g}; it must be at least 1",
            location,
        )
    if option.maximum_attempts < 0:
        raise GenerationError(
            f"{where}.maximum_attempts is {option.maximum_attempts}; use 0 for no limit",
            location,
        )
    types = tuple(option.non_retryable_error_types)
    if any(not name or name != name.strip() for name in types):
        raise GenerationError(
            f"{where}.non_retryable_error_types holds an empty name or one with surrounding "
            "whitespace",
            location,
        )
    return model.RetryPolicy(
        initial_interval=initial,
        backoff_coefficient=coefficient or None,
        maximum_interval=maximum,
        maximum_attempts=option.maximum_attempts,
        non_retryable_error_types=types,
    )
