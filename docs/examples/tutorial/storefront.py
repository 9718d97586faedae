"""The storefront's application code asks shipping for a price: no workflow involved."""

from __future__ import annotations

from shipping.v1 import shipping_pb2
from shipping.v1.shipping_nexus import ShippingServiceStandaloneClient
from temporalio.client import Client


async def shipping_price(client: Client, parcel: shipping_pb2.Parcel) -> int:
    """The price of shipping `parcel`, in cents, as a standalone Nexus operation."""
    shipping = ShippingServiceStandaloneClient(client)  # endpoint "shipping"
    quote = await shipping.quote_shipment(
        shipping_pb2.QuoteShipmentRequest(parcel=parcel)
    )
    return quote.price_minor
