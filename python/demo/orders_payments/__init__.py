"""Two teams, two namespaces, one shared contract repository: a runnable demo.

The payments team owns `proto/payments/v1/payments.proto` and serves it in
namespace "payments" (`payments_team`: a plain subclass of the generated
`PaymentServiceHandler`, the `RefundPaymentWorkflow` its workflow-run operation
starts, and the worker). The orders team, in namespace "orders", calls payments
from a workflow through the generated `PaymentServiceNexusClient`, and once from
application code through `PaymentServiceStandaloneClient` (`orders_team`).
`run` wires both up behind the Nexus endpoint "payments", the contract's default.

Run it with `make demo`, which runs `python -m orders_payments` with `gen/` and
`python/demo` on PYTHONPATH. By default it starts a local dev server (the venv's
`temporal` binary) and stops it at the end. To use an existing cluster or
Temporal Cloud instead, set the Temporal environment configuration:

- `TEMPORAL_ADDRESS` (with `TEMPORAL_API_KEY` or the `TEMPORAL_TLS_*` variables as
  needed), or a profile through `TEMPORAL_CONFIG_FILE` / `TEMPORAL_PROFILE`;
- `DEMO_PAYMENTS_NAMESPACE` and `DEMO_ORDERS_NAMESPACE`, the two teams' namespaces
  (default "payments" and "orders"; both must exist; they may be the same one).

Then no server is started; the demo creates the endpoint "payments" (namespace
of payments, task queue "payments") unless it exists already. Where the client
may not create endpoints (Temporal Cloud manages them through its own API, UI
and `tcld`), create it beforehand with that target and allow the orders
namespace to call it.

Modules holding workflows are imported again by the workflow sandbox, so none
of the modules here does anything when imported.
"""
