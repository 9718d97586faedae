#!/bin/sh
# Calls operations of the payments contract as standalone Nexus operations.
set -eu
# --8<-- [start:inline]
nexusproto call --contracts gen payments.v1.PaymentService/ProcessPayment \
  --data '{"customerId": "5b1a7c2e-3f4d-4a6b-9c8d-0e1f2a3b4c5d", "orderId": "o-1", "amount": {"currency": "EUR", "amountMinor": 1999}}'
# --8<-- [end:inline]
# --8<-- [start:file]
nexusproto call --contracts gen PaymentService/refund_payment --data @refund.json --timeout 2m
# --8<-- [end:file]
# --8<-- [start:no-wait]
id=$(nexusproto call --contracts gen payments.v1.PaymentService/CheckHealth --no-wait)
nexusproto result --contracts gen payments.v1.PaymentService/CheckHealth "$id"
# --8<-- [end:no-wait]
