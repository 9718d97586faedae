"""The shipping team's tests, and the warehouse team's, with nexusproto.testing.

Run them with `pytest`: the handler's sync operation in-process (no server), the
rest on a local dev server that the `nexus_environment` fixture starts once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import nexusrpc
import pytest
from nexusproto import InvalidRequestError, testing
from shipping.v1 import shipping_pb2
from shipping.v1.shipping_nexus import ShippingService, ShippingServiceStandaloneClient
from shipping.v1.shipping_nexus_testing import ShippingServiceFake
from shipping_service import ShipParcelWorkflow, Shipping
from storefront import shipping_price
from warehouse import Dispatched, DispatchWorkflow

# The fixture of nexusproto's pytest plugin: nexusproto.testing.environment.
NexusEnvironment = Callable[..., AbstractAsyncContextManager[testing.Environment]]

PARCEL = shipping_pb2.Parcel(destination_country="DE", weight_grams=1200)


def test_a_quote_is_priced_by_weight() -> None:
    request = shipping_pb2.QuoteShipmentRequest(parcel=PARCEL)
    quote = asyncio.run(
        testing.call(Shipping(), ShippingService.quote_shipment, request)
    )
    assert (quote.price_minor, quote.delivery_days) == (550, 2)


def test_a_parcel_breaking_the_rules_is_refused() -> None:
    request = shipping_pb2.QuoteShipmentRequest(
        parcel=shipping_pb2.Parcel(destination_country="de", weight_grams=0)
    )
    with pytest.raises(nexusrpc.HandlerError) as refused:
        asyncio.run(testing.call(Shipping(), ShippingService.quote_shipment, request))
    assert refused.value.type == nexusrpc.HandlerErrorType.BAD_REQUEST
    assert "parcel.destination_country" in str(refused.value)
    assert "parcel.weight_grams" in str(refused.value)


def test_the_service_on_a_server(nexus_environment: NexusEnvironment) -> None:
    async def scenario() -> tuple[int, shipping_pb2.ShipParcelResponse]:
        async with nexus_environment(
            handlers={"shipping": Shipping()}, workflows=[ShipParcelWorkflow]
        ) as env:
            price = await shipping_price(env.client, PARCEL)
            shipping = ShippingServiceStandaloneClient(env.client)
            shipped = await shipping.ship_parcel(
                shipping_pb2.ShipParcelRequest(order_id="o-1", parcel=PARCEL)
            )
            with pytest.raises(InvalidRequestError):  # refused before anything is sent
                await shipping.ship_parcel(
                    shipping_pb2.ShipParcelRequest(parcel=PARCEL)
                )
            return price, shipped

    price, shipped = asyncio.run(scenario())
    assert (price, shipped.tracking_number) == (550, "DE-o-1")


def test_dispatch_quotes_then_ships(nexus_environment: NexusEnvironment) -> None:
    shipping = ShippingServiceFake(
        quote_shipment=shipping_pb2.QuoteShipmentResponse(
            price_minor=990, delivery_days=3
        ),
        ship_parcel=lambda request: shipping_pb2.ShipParcelResponse(
            tracking_number=f"T-{request.order_id}"
        ),
    )
    order = shipping_pb2.ShipParcelRequest(order_id="o-2", parcel=PARCEL)

    async def scenario() -> Dispatched:
        async with nexus_environment(
            handlers={"shipping": shipping}, workflows=[DispatchWorkflow]
        ) as env:
            return await env.client.execute_workflow(
                DispatchWorkflow.run,
                order,
                id=f"dispatch-{uuid.uuid4()}",
                task_queue=env.task_queue,
            )

    assert asyncio.run(scenario()) == Dispatched(
        price_minor=990, tracking_number="T-o-2"
    )
    assert [call.parcel for call in shipping.calls["quote_shipment"]] == [PARCEL]
    assert [call.order_id for call in shipping.calls["ship_parcel"]] == ["o-2"]
