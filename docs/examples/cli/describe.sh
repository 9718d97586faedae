#!/bin/sh
# What the generated modules under gen/ offer, read from the modules themselves.
set -eu
# --8<-- [start:list]
nexusproto describe --contracts gen
# --8<-- [end:list]
# --8<-- [start:service]
nexusproto describe --contracts gen payments.v1.PaymentService
# --8<-- [end:service]
# --8<-- [start:json]
nexusproto describe --contracts gen carts/GetCart --format json
# --8<-- [end:json]
