"""Issue 16: operations bound to a long-lived workflow, on the session's dev server.

The orders team's cart contract (proto/orders/v1/carts.proto) binds every
operation of `CartService` to a handler of `CartWorkflow`: `AddItem` is an
update-with-start, `RemoveItem` an update, `ApplyCoupon` a signal-with-start,
`Checkout` a signal and `GetCart` a query. The handler is the demo's
`CartHandler`, a subclass with no body of its own, serving on a worker in
namespace "orders" beside `CartWorkflow`. Callers use the generated clients:
`CartServiceStandaloneClient` from application code, `CartServiceNexusClient`
from a workflow in namespace "payments", through a fresh endpoint.

This module is imported again inside the workflow sandbox: no import-time side effects.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import nexusrpc
import nexusrpc.handler
import pytest
from google.protobuf import json_format
from orders.v1 import carts_pb2
from orders.v1.carts_nexus import CartService, CartServiceNexusClient, CartServiceStandaloneClient
from payments.v1 import payments_pb2
from temporalio import workflow
from temporalio.client import Client, NexusOperationFailureError, WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError, NexusOperationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

with workflow.unsafe.imports_passed_through():
    from orders_payments.carts import CartHandler, CartWorkflow
    from support.temporal import (
        DevServer,
        connect,
        create_nexus_endpoint,
        unique_name,
        unique_task_queue,
    )

TEST_TIMEOUT_SECONDS = 60.0

# The workflows below are defined in this test module, which the sandbox would
# import again to vet them; pytest's assertion rewriter then re-parses it deep in
# that nested import, where CPython 3.11.7's ast.parse can fail with "AST
# constructor recursion depth mismatch". Passing the module (and the generated
# code it imports) through takes the already-imported, deterministic code instead.
PASSTHROUGH_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(
        __name__, "nexusproto", "orders", "payments"
    )
)
WORKFLOW_TIMEOUT = timedelta(seconds=45)

T = TypeVar("T")


def _cart_id() -> str:
    return f"c-{uuid.uuid4().hex[:10]}"


def _add(cart_id: str, sku: str = "tea", quantity: int = 1, currency: str = "EUR") -> carts_pb2.AddItemRequest:
    return carts_pb2.AddItemRequest(
        cart_id=cart_id,
        sku=sku,
        quantity=quantity,
        unit_price=payments_pb2.Money(currency=currency, amount_minor=450),
    )


# --- workflows of the test ---------------------------------------------------------


@workflow.defn(name="CartWorkflow")
class BareCart:
    """A workflow under the contract's type name with none of its handlers: what a
    worker runs when the workflow and the contract drifted apart."""

    @workflow.run
    async def run(self, request: carts_pb2.AddItemRequest) -> None:
        await workflow.wait_condition(lambda: False)


@workflow.defn
class Shopper:
    """Another team's workflow using the generated workflow client on every binding."""

    @workflow.run
    async def run(self, endpoint: str, cart_id: str) -> list[str]:
        """The carts each call answered, as proto JSON (a workflow result is one payload)."""
        carts = CartServiceNexusClient(endpoint=endpoint)
        await carts.add_item(_add(cart_id, "tea", 2))
        after_add = await carts.add_item(_add(cart_id, "cups", 1))
        await carts.apply_coupon(carts_pb2.ApplyCouponRequest(cart_id=cart_id, code="WELCOME"))
        after_coupon = await carts.get_cart(carts_pb2.GetCartRequest(cart_id=cart_id))
        after_remove = await carts.remove_item(carts_pb2.RemoveItemRequest(cart_id=cart_id, sku="cups"))
        await carts.checkout(carts_pb2.CheckoutRequest(cart_id=cart_id))
        after_checkout = await carts.get_cart(carts_pb2.GetCartRequest(cart_id=cart_id))
        answers = (after_add, after_coupon, after_remove, after_checkout)
        return [json_format.MessageToJson(cart) for cart in answers]


@workflow.defn
class Prober:
    """Another team's workflow meeting the errors: what each call's failure holds."""

    @workflow.run
    async def run(self, endpoint: str, cart_id: str) -> list[str]:
        carts = CartServiceNexusClient(endpoint=endpoint)
        calls = [
            carts.remove_item(carts_pb2.RemoveItemRequest(cart_id=cart_id, sku="tea")),
            carts.add_item(_add(cart_id)),
            carts.add_item(_add(cart_id, currency="USD")),
        ]
        seen = []
        for call in calls:
            try:
                await call
                seen.append("ok")
            except NexusOperationError as error:
                cause = error.cause
                kind = cause.type.name if isinstance(cause, nexusrpc.HandlerError) else ""
                retryable = getattr(cause, "retryable", None)
                if isinstance(cause, ApplicationError):
                    retryable = not cause.non_retryable
                seen.append(f"{type(cause).__name__} {kind} retryable={retryable}: {cause}")
        return seen


# --- harness -----------------------------------------------------------------------


@dataclass
class Harness:
    orders_client: Client
    payments_client: Client
    endpoint: str
    orders_queue: str
    """Where the endpoint routes to: the handler's and the cart workflows' task queue."""
    payments_queue: str
    carts: CartServiceStandaloneClient

    async def executions(self, cart_id: str, expected: int) -> list[Any]:
        """Every run of the cart's workflow, read from visibility once `expected` show."""
        query = f"WorkflowId = 'cart-{cart_id}'"
        found: list[Any] = []
        for _ in range(50):
            found = [run async for run in self.orders_client.list_workflows(query)]
            if len(found) >= expected:
                break
            await asyncio.sleep(0.1)
        return found


def run_with_workers(
    server: DevServer,
    body: Callable[[Harness], Awaitable[T]],
    workflows: tuple[type[Any], ...] = (CartWorkflow,),
    handler: CartHandler | None = None,
) -> T:
    """`body` with the cart handler and `workflows` serving in "orders" and the
    shopper workflow in "payments", behind a fresh endpoint."""

    async def scenario() -> T:
        orders_client = await connect(server, "orders")
        payments_client = await connect(server, "payments")
        orders_queue = unique_task_queue("carts")
        payments_queue = unique_task_queue("shoppers")
        endpoint = await create_nexus_endpoint(
            payments_client, target_namespace="orders", task_queue=orders_queue
        )
        name = endpoint.spec.name
        async with (
            Worker(
                orders_client,
                task_queue=orders_queue,
                workflows=list(workflows),
                nexus_service_handlers=[handler or CartHandler()],
                workflow_runner=PASSTHROUGH_RUNNER,
            ),
            Worker(
                payments_client,
                task_queue=payments_queue,
                workflows=[Shopper, Prober],
                workflow_runner=PASSTHROUGH_RUNNER,
            ),
        ):
            return await body(
                Harness(
                    orders_client,
                    payments_client,
                    name,
                    orders_queue,
                    payments_queue,
                    CartServiceStandaloneClient(payments_client, endpoint=name),
                )
            )

    return asyncio.run(asyncio.wait_for(scenario(), timeout=TEST_TIMEOUT_SECONDS))


async def _failure(call: Awaitable[Any]) -> BaseException:
    """The cause a standalone call failed with (a handler error, or the operation's failure)."""
    with pytest.raises(NexusOperationFailureError) as caught:
        await call
    assert caught.value.cause is not None, repr(caught.value)
    return caught.value.cause


# --- the bindings -------------------------------------------------------------------


def test_workflow_client_reaches_update_signal_and_query(dev_server: DevServer) -> None:
    cart_id = _cart_id()

    async def body(h: Harness) -> tuple[list[carts_pb2.Cart], list[Any]]:
        result = await h.payments_client.execute_workflow(
            Shopper.run,
            args=[h.endpoint, cart_id],
            id=unique_name("shopper"),
            task_queue=h.payments_queue,
            execution_timeout=WORKFLOW_TIMEOUT,
        )
        carts = [json_format.Parse(text, carts_pb2.Cart()) for text in result]
        return carts, await h.executions(cart_id, 1)

    (after_add, after_coupon, after_remove, after_checkout), runs = run_with_workers(
        dev_server, body
    )

    # Each answer is the workflow's own state after the call, typed as the contract says.
    assert [(line.sku, line.quantity) for line in after_add.lines] == [("tea", 2), ("cups", 1)]
    assert after_add.total == payments_pb2.Money(currency="EUR", amount_minor=3 * 450)
    assert list(after_coupon.coupons) == ["WELCOME"]
    assert [line.sku for line in after_remove.lines] == ["tea"]
    # A query of a workflow that completed answers with its final state.
    assert after_checkout.checked_out
    assert [line.sku for line in after_checkout.lines] == ["tea"]
    assert len(runs) == 1
    assert runs[0].status == WorkflowExecutionStatus.COMPLETED


def test_update_with_start_starts_one_workflow_under_concurrent_first_calls(
    dev_server: DevServer,
) -> None:
    cart_id = _cart_id()
    callers = 8

    async def body(h: Harness) -> tuple[list[carts_pb2.Cart], carts_pb2.Cart, list[Any]]:
        answers = await asyncio.gather(*(h.carts.add_item(_add(cart_id)) for _ in range(callers)))
        final = await h.carts.get_cart(carts_pb2.GetCartRequest(cart_id=cart_id))
        return list(answers), final, await h.executions(cart_id, 1)

    answers, final, runs = run_with_workers(dev_server, body)

    assert len(runs) == 1, [run.run_id for run in runs]
    # The workflow runs the updates one after the other: each caller sees the
    # cart just after its own unit was added, and no unit is lost.
    assert sorted(answer.lines[0].quantity for answer in answers) == list(range(1, callers + 1))
    assert final.lines[0].quantity == callers


def test_signal_with_start_starts_the_workflow(dev_server: DevServer) -> None:
    cart_id = _cart_id()

    async def body(h: Harness) -> tuple[carts_pb2.Cart, list[Any]]:
        await h.carts.apply_coupon(carts_pb2.ApplyCouponRequest(cart_id=cart_id, code="SPRING"))
        await h.carts.apply_coupon(carts_pb2.ApplyCouponRequest(cart_id=cart_id, code="SUMMER"))
        cart = await h.carts.get_cart(carts_pb2.GetCartRequest(cart_id=cart_id))
        return cart, await h.executions(cart_id, 1)

    cart, runs = run_with_workers(dev_server, body)

    assert list(cart.coupons) == ["SPRING", "SUMMER"]
    assert not cart.lines
    assert len(runs) == 1


class AnswerLostOnce(CartHandler):
    """Runs the generated body, then fails the first attempt of each start as if the
    answer never reached the caller: the server retries the start, same request ID."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    async def add_item(
        self, ctx: nexusrpc.handler.StartOperationContext, request: carts_pb2.AddItemRequest
    ) -> carts_pb2.Cart:
        cart = await super().add_item(ctx, request)
        self.attempts.append(ctx.request_id)
        if self.attempts.count(ctx.request_id) == 1:
            raise nexusrpc.HandlerError(
                "answer lost", type=nexusrpc.HandlerErrorType.INTERNAL, retryable_override=True
            )
        return cart


def test_retried_start_applies_the_update_once(dev_server: DevServer) -> None:
    cart_id = _cart_id()
    handler = AnswerLostOnce()

    async def body(h: Harness) -> tuple[carts_pb2.Cart, carts_pb2.Cart]:
        answer = await h.carts.add_item(_add(cart_id, "tea", 3))
        return answer, await h.carts.get_cart(carts_pb2.GetCartRequest(cart_id=cart_id))

    answer, cart = run_with_workers(dev_server, body, handler=handler)

    assert len(handler.attempts) == 2 and len(set(handler.attempts)) == 1
    # The second attempt reached the update the first one sent (same update ID).
    assert [line.quantity for line in answer.lines] == [3]
    assert [line.quantity for line in cart.lines] == [3]


# --- errors the caller can act on ---------------------------------------------------


def _not_found(cause: BaseException, cart_id: str) -> None:
    assert isinstance(cause, nexusrpc.HandlerError), repr(cause)
    assert cause.type == nexusrpc.HandlerErrorType.NOT_FOUND
    assert cause.retryable is False
    assert f"cart-{cart_id}" in str(cause), str(cause)


def test_missing_workflow_is_a_non_retryable_not_found(dev_server: DevServer) -> None:
    cart_id = _cart_id()

    async def body(h: Harness) -> list[BaseException]:
        return [
            await _failure(h.carts.remove_item(carts_pb2.RemoveItemRequest(cart_id=cart_id, sku="tea"))),
            await _failure(h.carts.checkout(carts_pb2.CheckoutRequest(cart_id=cart_id))),
            await _failure(h.carts.get_cart(carts_pb2.GetCartRequest(cart_id=cart_id))),
        ]

    for cause in run_with_workers(dev_server, body):
        _not_found(cause, cart_id)


def test_completed_workflow_refuses_updates_and_signals_and_answers_queries(
    dev_server: DevServer,
) -> None:
    cart_id = _cart_id()

    async def body(h: Harness) -> tuple[list[BaseException], carts_pb2.Cart, carts_pb2.Cart, int]:
        await h.carts.add_item(_add(cart_id))
        await h.carts.checkout(carts_pb2.CheckoutRequest(cart_id=cart_id))
        await h.orders_client.get_workflow_handle(f"cart-{cart_id}").result()
        refused = [
            await _failure(h.carts.remove_item(carts_pb2.RemoveItemRequest(cart_id=cart_id, sku="tea"))),
            await _failure(h.carts.checkout(carts_pb2.CheckoutRequest(cart_id=cart_id))),
        ]
        final = await h.carts.get_cart(carts_pb2.GetCartRequest(cart_id=cart_id))
        # Update-with-start on a closed workflow starts a new run (Temporal's
        # default ID reuse policy allows it): a new, empty cart.
        fresh = await h.carts.add_item(_add(cart_id, "coffee"))
        return refused, final, fresh, len(await h.executions(cart_id, 2))

    refused, final, fresh, runs = run_with_workers(dev_server, body)

    for cause in refused:
        _not_found(cause, cart_id)
    assert final.checked_out and final.lines[0].sku == "tea"
    assert [line.sku for line in fresh.lines] == ["coffee"] and not fresh.checked_out
    assert runs == 2


def test_workflow_caller_sees_not_found_and_failed_operations(dev_server: DevServer) -> None:
    cart_id = _cart_id()

    async def body(h: Harness) -> list[str]:
        return await h.payments_client.execute_workflow(
            Prober.run,
            args=[h.endpoint, cart_id],
            id=unique_name("prober"),
            task_queue=h.payments_queue,
            execution_timeout=WORKFLOW_TIMEOUT,
        )

    missing, added, rejected = run_with_workers(dev_server, body)

    assert missing.startswith("HandlerError NOT_FOUND retryable=False: "), missing
    assert f"cart-{cart_id}" in missing
    assert added == "ok"
    assert rejected.startswith("ApplicationError  retryable=False: "), rejected
    assert "priced in EUR, not USD" in rejected


def _failed_operation(cause: BaseException, *texts: str) -> None:
    """A failed operation (not a handler error): final, with the workflow's message."""
    assert isinstance(cause, ApplicationError), repr(cause)
    assert cause.non_retryable, repr(cause)
    for text in texts:
        assert text in str(cause), str(cause)


def test_rejected_or_failed_update_fails_the_operation_with_the_workflow_message(
    dev_server: DevServer,
) -> None:
    cart_id = _cart_id()

    async def body(h: Harness) -> tuple[list[BaseException], carts_pb2.Cart]:
        await h.carts.add_item(_add(cart_id))
        causes = [
            # Refused by the update's validator: nothing changed.
            await _failure(h.carts.add_item(_add(cart_id, "tea", 1, currency="USD"))),
            # Raised by the update handler.
            await _failure(h.carts.remove_item(carts_pb2.RemoveItemRequest(cart_id=cart_id, sku="cake"))),
        ]
        return causes, await h.carts.get_cart(carts_pb2.GetCartRequest(cart_id=cart_id))

    (rejected, failed), cart = run_with_workers(dev_server, body)

    _failed_operation(rejected, "add_item", f"cart-{cart_id}", "priced in EUR, not USD")
    _failed_operation(failed, "remove_item", "holds no item cake")
    assert cart.lines[0].quantity == 1


def test_update_or_query_the_workflow_does_not_define_fails_the_operation(
    dev_server: DevServer,
) -> None:
    cart_id = _cart_id()

    async def body(h: Harness) -> list[BaseException]:
        await h.orders_client.start_workflow(
            BareCart.run,
            _add(cart_id),
            id=f"cart-{cart_id}",
            task_queue=h.orders_queue,
        )
        return [
            await _failure(h.carts.remove_item(carts_pb2.RemoveItemRequest(cart_id=cart_id, sku="tea"))),
            await _failure(h.carts.get_cart(carts_pb2.GetCartRequest(cart_id=cart_id))),
        ]

    update, query = run_with_workers(dev_server, body, workflows=(BareCart,))

    _failed_operation(update, "remove_item", "remove_item")
    _failed_operation(query, "get", "get")


def test_invalid_request_is_refused_before_the_workflow_is_touched(dev_server: DevServer) -> None:
    cart_id = _cart_id()

    async def body(h: Harness) -> tuple[BaseException, RPCError]:
        # The raw SDK client sends what the generated one would refuse to send.
        raw = h.payments_client.create_nexus_client(CartService, h.endpoint)
        with pytest.raises(NexusOperationFailureError) as caught:
            await raw.execute_operation(
                CartService.add_item,
                _add(cart_id, quantity=0),
                id=unique_name("op"),
                schedule_to_close_timeout=timedelta(seconds=20),
            )
        assert caught.value.cause is not None
        with pytest.raises(RPCError) as described:
            await h.orders_client.get_workflow_handle(f"cart-{cart_id}").describe()
        return caught.value.cause, described.value

    cause, lookup = run_with_workers(dev_server, body)

    assert isinstance(cause, nexusrpc.HandlerError), repr(cause)
    assert cause.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert "quantity" in str(cause)
    assert lookup.status == RPCStatusCode.NOT_FOUND  # no cart was started
