//go:build oldcontract

package main

// The older payments contract (proto_old/payments/v1/payments.proto): no
// ProcessPaymentRequest.order_id, no ProcessPaymentResponse.status, no
// string.uuid rule on ProcessPaymentRequest.customer_id.

import (
	paymentsv1 "nexusproto.test/interop/gen/old/paymentsv1"
)

// contractVersion names the payments contract the binary is built against.
const contractVersion = "old"

// The messages and the generated Nexus code (payments_nexus.pb.go, from
// protoc-gen-nexus-go) of the payments contract the binary is built against,
// under the names the rest of the program uses whichever it is.
type (
	ProcessPaymentRequest  = paymentsv1.ProcessPaymentRequest
	ProcessPaymentResponse = paymentsv1.ProcessPaymentResponse
	RefundPaymentRequest   = paymentsv1.RefundPaymentRequest
	RefundPaymentResponse  = paymentsv1.RefundPaymentResponse
	HealthStatus           = paymentsv1.HealthStatus
	Money                  = paymentsv1.Money

	PaymentServiceNexusHandler              = paymentsv1.PaymentServiceNexusHandler
	UnimplementedPaymentServiceNexusHandler = paymentsv1.UnimplementedPaymentServiceNexusHandler
)

var (
	newPaymentServiceNexusService     = paymentsv1.NewPaymentServiceNexusService
	newPaymentServiceNexusClient      = paymentsv1.NewPaymentServiceNexusClient
	newPaymentServiceStandaloneClient = paymentsv1.NewPaymentServiceStandaloneClient
	registerRefundPaymentWorkflow     = paymentsv1.RegisterRefundPaymentWorkflow

	processPaymentOperation = paymentsv1.PaymentServiceProcessPaymentOperation
	refundPaymentOperation  = paymentsv1.PaymentServiceRefundPaymentOperation
	checkHealthOperation    = paymentsv1.PaymentServiceCheckHealthOperation
	resetLedgerOperation    = paymentsv1.PaymentServiceResetLedgerOperation
)

const paymentRefunded = paymentsv1.PaymentStatus_PAYMENT_STATUS_REFUNDED

// newPaymentRequest drops orderID: the older contract has no field for it.
func newPaymentRequest(customerID, _ string, amount *Money) *ProcessPaymentRequest {
	return &ProcessPaymentRequest{CustomerId: customerID, Amount: amount}
}

// paymentReference is what the Go handler's transaction IDs name: without an
// order ID, the customer.
func paymentReference(request *ProcessPaymentRequest) string {
	return "customer-" + request.GetCustomerId()
}

// settledPayment has no status to set.
func settledPayment(transactionID string) *ProcessPaymentResponse {
	return &ProcessPaymentResponse{TransactionId: transactionID}
}
