//go:build newcontract

package main

// The newer payments contract (proto_new/payments/v1/payments.proto): the
// current one plus ProcessPaymentRequest.idempotency_key and
// ProcessPaymentResponse.receipt_id, both always set here, so that they are on
// the wire for a reader built from the current contract.

import (
	paymentsv1 "nexusproto.test/interop/gen/new/paymentsv1"
)

// contractVersion names the payments contract the binary is built against.
const contractVersion = "new"

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

// newPaymentRequest sets the newer idempotency_key, derived from the order.
func newPaymentRequest(customerID, orderID string, amount *Money) *ProcessPaymentRequest {
	return &ProcessPaymentRequest{
		CustomerId:     customerID,
		OrderId:        orderID,
		Amount:         amount,
		IdempotencyKey: "idem-" + orderID,
	}
}

// paymentReference is what the Go handler's transaction IDs name: the order.
func paymentReference(request *ProcessPaymentRequest) string {
	return request.GetOrderId()
}

// settledPayment sets the newer receipt_id.
func settledPayment(transactionID string) *ProcessPaymentResponse {
	return &ProcessPaymentResponse{
		TransactionId: transactionID,
		Status:        paymentsv1.PaymentStatus_PAYMENT_STATUS_SETTLED,
		ReceiptId:     "receipt-" + transactionID,
	}
}
