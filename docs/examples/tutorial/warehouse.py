"""The warehouse team calls shipping from its own workflow, through the Nexus endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from shipping.v1 import shipping_pb2
from shipping.v1.shipping_nexus import ShippingServiceNexusClient
from temporalio import workflow


@dataclass
class Dispatched:
    price_minor: int
    tracking_number: str


@workflow.defn
class DispatchWorkflow:
    """Prices an order's parcel, then ships it."""

    @workflow.run
    async def run(self, order: shipping_pb2.ShipParcelRequest) -> Dispatched:
        shipping = ShippingServiceNexusClient()  # the contract's endpoint, "shipping"

        # A sync operation: the handler answers within the call.
        quote = await shipping.quote_shipment(
            shipping_pb2.QuoteShipmentRequest(parcel=order.parcel)
        )
        # A workflow-run operation: awaited like a call, it completes when
        # ShipParcelWorkflow does.
        shipped = await shipping.ship_parcel(order)
        return Dispatched(quote.price_minor, shipped.tracking_number)
