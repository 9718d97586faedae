"""The pytest side of `nexusproto.testing`, registered by installing nexusproto.

    async def test_order_is_paid(nexus_environment):
        async with nexus_environment(handlers={"payments": PaymentServiceFake(...)},
                                     workflows=[OrderWorkflow]) as env:
            ...

The fixture is `nexusproto.testing.environment` itself; the server it starts is
shared by the whole session and stopped when the session ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def nexus_environment() -> Callable[..., Any]:
    """`nexusproto.testing.environment`: a shared local server, endpoints, a worker."""
    from nexusproto import testing

    return testing.environment


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import sys

    testing = sys.modules.get("nexusproto.testing")
    if testing is not None:
        testing.shutdown()
