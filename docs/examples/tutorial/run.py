"""Both sides against a running Temporal server: the workers, one dispatch, one price.

The server comes from Temporal's environment configuration (TEMPORAL_ADDRESS,
TEMPORAL_NAMESPACE, TEMPORAL_PROFILE, ...), by default localhost:7233, namespace
"default". The "shipping" Nexus endpoint must exist there.
"""

from __future__ import annotations

import uuid

import nexusproto.process
from nexusproto import converter
from shipping.v1 import shipping_pb2
from shipping_service import shipping_worker
from storefront import shipping_price
from temporalio.client import Client
from temporalio.envconfig import ClientConfig
from temporalio.worker import Worker
from warehouse import DispatchWorkflow

WAREHOUSE_TASK_QUEUE = "warehouse"


async def connect() -> Client:
    config = ClientConfig.load_client_connect_config()
    config.setdefault("target_host", "localhost:7233")
    # Proto messages as proto JSON that tolerates fields added later.
    return await Client.connect(**config, data_converter=converter.data_converter)


async def main() -> None:
    client = await connect()
    parcel = shipping_pb2.Parcel(destination_country="FR", weight_grams=2500)
    async with (
        shipping_worker(client),
        Worker(client, task_queue=WAREHOUSE_TASK_QUEUE, workflows=[DispatchWorkflow]),
    ):
        price = await shipping_price(client, parcel)
        print(f"storefront: shipping costs {price / 100:.2f} EUR")

        order = shipping_pb2.ShipParcelRequest(
            order_id=f"order-{uuid.uuid4().hex[:8]}", parcel=parcel
        )
        dispatched = await client.execute_workflow(
            DispatchWorkflow.run,
            order,
            id=f"dispatch-{order.order_id}",
            task_queue=WAREHOUSE_TASK_QUEUE,
        )
        print(f"warehouse: {order.order_id} shipped as {dispatched.tracking_number}")


if __name__ == "__main__":
    # asyncio.run(main()), then an exit that skips the interpreter teardown the
    # SDK's native threads can crash.
    nexusproto.process.run(main())
