"""The shipping team's side: the handler of its contract, and the workflow behind ShipParcel."""

from __future__ import annotations

import nexusrpc
from shipping.v1 import shipping_pb2
from shipping.v1.shipping_nexus import (
    ShipParcelWorkflowContract,
    ShippingServiceHandler,
)
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

TASK_QUEUE = "shipping"
"""Where the "shipping" Nexus endpoint sends its requests."""


# --8<-- [start:handler]
class Shipping(ShippingServiceHandler):
    """QuoteShipment is written here; ShipParcel's generated body starts ShipParcelWorkflow."""

    async def quote_shipment(
        self,
        ctx: nexusrpc.handler.StartOperationContext,
        request: shipping_pb2.QuoteShipmentRequest,
    ) -> shipping_pb2.QuoteShipmentResponse:
        parcel = request.parcel  # already validated against the contract's rules
        return shipping_pb2.QuoteShipmentResponse(
            price_minor=490 + parcel.weight_grams // 100 * 5,
            delivery_days=2 if parcel.destination_country == "DE" else 5,
        )
        # --8<-- [end:handler]


@workflow.defn
class ShipParcelWorkflow:
    """One run per order (workflow ID "ship-{order_id}", from the contract)."""

    @workflow.run
    async def run(
        self, request: shipping_pb2.ShipParcelRequest
    ) -> shipping_pb2.ShipParcelResponse:
        # A real shipment would book a courier in an activity and wait for the pickup.
        country = request.parcel.destination_country
        return shipping_pb2.ShipParcelResponse(
            tracking_number=f"{country}-{request.order_id}"
        )


# The workflow takes and returns what the contract says; mypy checks it here.
_: type[ShipParcelWorkflowContract] = ShipParcelWorkflow


def shipping_worker(client: Client, task_queue: str = TASK_QUEUE) -> Worker:
    """The shipping team's worker: the Nexus handler and the workflow it starts."""
    return Worker(
        client,
        task_queue=task_queue,
        nexus_service_handlers=[Shipping()],
        workflows=[ShipParcelWorkflow],
    )
