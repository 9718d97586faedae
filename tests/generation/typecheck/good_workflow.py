"""Workflows that keep the cart contract, in each form Temporal accepts; only type-checked.

tests/generation/test_typecheck.py runs mypy --strict and pyright strict on this
file and expects no error: `CartWorkflowContract` accepts async and plain update
and signal handlers, any parameter names, and a run method taking either request
that starts the workflow.
"""

from orders.v1 import carts_pb2
from orders.v1.carts_nexus import CartWorkflowContract
from temporalio import workflow

Start = carts_pb2.AddItemRequest | carts_pb2.ApplyCouponRequest


@workflow.defn(name="CartWorkflow")
class AsyncCart:
    @workflow.run
    async def run(self, start: Start) -> carts_pb2.Cart:
        return carts_pb2.Cart(cart_id=start.cart_id)

    @workflow.update
    async def add_item(self, item: carts_pb2.AddItemRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart(cart_id=item.cart_id)

    @add_item.validator
    def check_item(self, item: carts_pb2.AddItemRequest) -> None:
        pass

    @workflow.update
    async def remove_item(self, item: carts_pb2.RemoveItemRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart(cart_id=item.cart_id)

    @workflow.signal
    async def apply_coupon(self, coupon: carts_pb2.ApplyCouponRequest) -> None:
        pass

    @workflow.signal
    async def checkout(self, request: carts_pb2.CheckoutRequest) -> None:
        pass

    @workflow.query
    def get(self, request: carts_pb2.GetCartRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart(cart_id=request.cart_id)


@workflow.defn(name="CartWorkflow")
class PlainCart:
    @workflow.run
    async def run(self, start: Start) -> None:
        pass

    @workflow.update
    def add_item(self, item: carts_pb2.AddItemRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart(cart_id=item.cart_id)

    @workflow.update
    def remove_item(self, item: carts_pb2.RemoveItemRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart(cart_id=item.cart_id)

    @workflow.signal
    def apply_coupon(self, coupon: carts_pb2.ApplyCouponRequest) -> None:
        pass

    @workflow.signal
    def checkout(self, request: carts_pb2.CheckoutRequest) -> None:
        pass

    @workflow.query
    def get(self, request: carts_pb2.GetCartRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart(cart_id=request.cart_id)


_async: type[CartWorkflowContract] = AsyncCart
_plain: type[CartWorkflowContract] = PlainCart
