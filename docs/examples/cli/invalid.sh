#!/bin/sh
# A request that breaks the contract's rules: nothing is sent, and the exit
# status says why.
# --8<-- [start:invalid]
nexusproto call --contracts gen payments.v1.PaymentService/ProcessPayment \
  --data '{"customerId": "customer-42", "orderId": "o-2", "amount": {"currency": "eur", "amountMinor": 0}}'
echo "exit status $?"
# --8<-- [end:invalid]
