"""`google.protobuf.Duration` options read as positive `timedelta`s, or located errors."""

from datetime import timedelta
from typing import Any

from protoc_gen_nexus.errors import GenerationError, Location

# google.protobuf.Duration's documented range: about 10,000 years, nanos below a second.
_MAX_DURATION_SECONDS = 315_576_000_000
_MAX_DURATION_NANOS = 999_999_999


def positive_duration(duration: Any, option: str, location: Location) -> timedelta:
    if (
        duration.seconds < 0
        or duration.nanos < 0
        or (duration.seconds == 0 and duration.nanos == 0)
    ):
        raise GenerationError(f"{option} must be a positive duration", location)
    if duration.seconds > _MAX_DURATION_SECONDS or duration.nanos > _MAX_DURATION_NANOS:
        raise GenerationError(
            f"{option} is outside google.protobuf.Duration's range (seconds up to "
            f"{_MAX_DURATION_SECONDS}, nanos up to {_MAX_DURATION_NANOS})",
            location,
        )
    value = timedelta(seconds=duration.seconds, microseconds=duration.nanos // 1000)
    if not value:
        # Python's timedelta counts microseconds; zero would mean no timeout at all.
        raise GenerationError(f"{option} must be at least one microsecond", location)
    return value
