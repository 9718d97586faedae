"""Two teams, two namespaces, one shared contract repository: a runnable demo.

The payments team owns `proto/payments/v1/payments.proto` and serves it in
namespace "payments" (`payments_team`: a plain subclass of the generated
`PaymentServiceHandler`, the `RefundPaymentWorkflow` its workflow-run operation
starts, and the worker). The orders team, in namespace "orders", calls payments
from a workflow through the generated `PaymentServiceNexusClient`, and once from
application code through `PaymentServiceStandaloneClient` (`orders_team`).
The orders team also serves its carts (`carts`: `CartWorkflow`, one long-lived
workflow per cart, and a handler whose every operation the contract binds to
it); application code adds to one. `run` wires it all up behind the Nexus
endpoints "payments" and "carts", the contracts' defaults.

Run it with `make demo`, which runs `python -m orders_payments` with `gen/` and
`python/demo` on PYTHONPATH. By default it starts a local dev server (the venv's
`temporal` binary) and stops it at the end. To use an existing cluster or
Temporal Cloud instead, set the Temporal environment configuration:

- `TEMPORAL_ADDRESS` (with `TEMPORAL_API_KEY` or the `TEMPORAL_TLS_*` variables as
  needed), or a profile through `TEMPORAL_CONFIG_FILE` / `TEMPORAL_PROFILE`;
- `DEMO_PAYMENTS_NAMESPACE` and `DEMO_ORDERS_NAMESPACE`, the two teams' namespaces
  (default "payments" and "orders"; both must exist; they may be the same one).

Then no server is started; the demo creates the endpoints "payments" (namespace
of payments, task queue "payments") and "carts" (namespace of orders, task
queue "orders") unless they exist already. Where the client may not create
endpoints (Temporal Cloud manages them through its own API, UI and `tcld`),
create them beforehand with those targets and allow the orders namespace to
call both.

At the end the demo prints a `nexusproto call` command that charges a payment
by hand through the same endpoint, and a `nexusproto describe` one. They work
while the payments worker runs: with `DEMO_SERVE=1` the demo keeps its workers
(and its local server) running after the scenario, until Ctrl-C.

Modules holding workflows are imported again by the workflow sandbox, so none
of the modules here does anything when imported.
"""
