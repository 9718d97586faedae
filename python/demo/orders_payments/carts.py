"""The orders team's carts: one long-lived workflow per cart, reached through Nexus.

Every operation of `CartService` (proto/orders/v1/carts.proto) is bound to a
handler of `CartWorkflow` in the contract, so the generated `CartServiceHandler`
has a body for each: the team writes the workflow and a one-line handler class.
The assignment to `CartWorkflowContract` below makes mypy and pyright check the
workflow against the contract: rename an update here, or change a message in
the proto, and type checking fails before any call does.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TypeAlias

from orders.v1 import carts_pb2
from orders.v1.carts_nexus import CartServiceHandler, CartWorkflowContract
from temporalio import workflow
from temporalio.exceptions import ApplicationError

# A cart starts with its first item (AddItem) or its first coupon (ApplyCoupon).
CartStart: TypeAlias = carts_pb2.AddItemRequest | carts_pb2.ApplyCouponRequest

PRICE_CHECK = timedelta(milliseconds=50)
"""How long pricing an added item takes: updates wait on each other meanwhile."""


# --8<-- [start:workflow]
@workflow.defn(name="CartWorkflow")
class CartWorkflow:
    """A cart, from its first item to its checkout."""

    @workflow.init
    def __init__(self, request: CartStart) -> None:
        # State is set here, not in run: an update-with-start delivers the
        # update in the workflow's first activation, before run starts.
        self._cart = carts_pb2.Cart(cart_id=request.cart_id)
        self._changing = asyncio.Lock()

    @workflow.run
    async def run(self, request: CartStart) -> carts_pb2.Cart:
        await workflow.wait_condition(
            lambda: self._cart.checked_out and workflow.all_handlers_finished()
        )
        return self._cart

    @workflow.update
    async def add_item(self, request: carts_pb2.AddItemRequest) -> carts_pb2.Cart:
        # One change at a time: concurrent updates each see the previous one's cart.
        async with self._changing:
            await workflow.sleep(PRICE_CHECK)
            for line in self._cart.lines:
                if line.sku == request.sku:
                    line.quantity += request.quantity
                    break
            else:
                self._cart.lines.add(
                    sku=request.sku, quantity=request.quantity, unit_price=request.unit_price
                )
            self._total()
            return self._cart

    @add_item.validator
    def _accepts_item(self, request: carts_pb2.AddItemRequest) -> None:
        if self._cart.checked_out:
            raise ApplicationError(f"cart {self._cart.cart_id} is checked out")
        currency = self._cart.total.currency
        if currency and request.unit_price.currency != currency:
            raise ApplicationError(
                f"cart {self._cart.cart_id} is priced in {currency}, not "
                f"{request.unit_price.currency}"
            )

    @workflow.update
    async def remove_item(self, request: carts_pb2.RemoveItemRequest) -> carts_pb2.Cart:
        async with self._changing:
            kept = [line for line in self._cart.lines if line.sku != request.sku]
            if len(kept) == len(self._cart.lines):
                raise ApplicationError(f"cart {self._cart.cart_id} holds no item {request.sku}")
            del self._cart.lines[:]
            self._cart.lines.extend(kept)
            self._total()
            return self._cart

    @workflow.signal
    def apply_coupon(self, request: carts_pb2.ApplyCouponRequest) -> None:
        if not self._cart.checked_out and request.code not in self._cart.coupons:
            self._cart.coupons.append(request.code)

    @workflow.signal
    def checkout(self, request: carts_pb2.CheckoutRequest) -> None:
        self._cart.checked_out = True

    @workflow.query
    def get(self, request: carts_pb2.GetCartRequest) -> carts_pb2.Cart:
        return self._cart

    def _total(self) -> None:
        if not self._cart.lines:
            self._cart.ClearField("total")  # no amount is no Money (its rules need one)
            return
        self._cart.total.currency = self._cart.lines[0].unit_price.currency
        self._cart.total.amount_minor = sum(
            line.quantity * line.unit_price.amount_minor for line in self._cart.lines
        )


# --8<-- [end:workflow]


# --8<-- [start:handler]
_: type[CartWorkflowContract] = CartWorkflow


class CartHandler(CartServiceHandler):
    """Serves CartService: every operation's body is generated from the contract."""


# --8<-- [end:handler]
