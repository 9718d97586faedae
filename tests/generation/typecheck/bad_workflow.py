"""Workflows that drifted from the cart contract; never run, only type-checked.

tests/generation/test_typecheck.py runs mypy --strict on this file and compares its
errors with bad_workflow.expected, and checks that pyright strict reports the same
lines: each assignment to `CartWorkflowContract` at the end is refused. Each class
takes the handlers it keeps from one-method mixins and breaks one itself.
"""

from orders.v1 import carts_pb2
from orders.v1.carts_nexus import CartWorkflowContract
from temporalio import workflow


class Run:
    @workflow.run
    async def run(self, start: carts_pb2.AddItemRequest | carts_pb2.ApplyCouponRequest) -> None:
        pass


class AddItem:
    @workflow.update
    async def add_item(self, item: carts_pb2.AddItemRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart()


class RemoveItem:
    @workflow.update
    async def remove_item(self, item: carts_pb2.RemoveItemRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart()


class ApplyCoupon:
    @workflow.signal
    def apply_coupon(self, coupon: carts_pb2.ApplyCouponRequest) -> None:
        pass


class Checkout:
    @workflow.signal
    def checkout(self, request: carts_pb2.CheckoutRequest) -> None:
        pass


class Get:
    @workflow.query
    def get(self, request: carts_pb2.GetCartRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart()


class RenamedUpdate(Run, RemoveItem, ApplyCoupon, Checkout, Get):
    @workflow.update
    async def add_items(self, item: carts_pb2.AddItemRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart()


class UpdateTakesAnotherMessage(Run, AddItem, ApplyCoupon, Checkout, Get):
    @workflow.update
    async def remove_item(self, item: carts_pb2.AddItemRequest) -> carts_pb2.Cart:
        return carts_pb2.Cart()


class QueryAnswersAnotherMessage(Run, AddItem, RemoveItem, ApplyCoupon, Checkout):
    @workflow.query
    def get(self, request: carts_pb2.GetCartRequest) -> carts_pb2.CartLine:
        return carts_pb2.CartLine()


class SignalTakesNothing(Run, AddItem, RemoveItem, ApplyCoupon, Get):
    @workflow.signal
    def checkout(self) -> None:
        pass


class RunTakesOneStartOnly(AddItem, RemoveItem, ApplyCoupon, Checkout, Get):
    @workflow.run
    async def run(self, start: carts_pb2.AddItemRequest) -> None:
        pass


renamed: type[CartWorkflowContract] = RenamedUpdate
update: type[CartWorkflowContract] = UpdateTakesAnotherMessage
query: type[CartWorkflowContract] = QueryAnswersAnotherMessage
signal: type[CartWorkflowContract] = SignalTakesNothing
run: type[CartWorkflowContract] = RunTakesOneStartOnly
