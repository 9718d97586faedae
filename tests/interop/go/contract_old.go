//go:build oldcontract

package main

// The older payments contract (proto_old/payments/v1/payments.proto): no
// ProcessPaymentRequest.order_id, no ProcessPaymentResponse.status.

import (
	paymentsv1 "nexusproto.test/interop/gen/old/paymentsv1"
)

// contractVersion names the payments contract the binary is built against.
const contractVersion = "old"

type (
	ProcessPaymentRequest  = paymentsv1.ProcessPaymentRequest
	ProcessPaymentResponse = paymentsv1.ProcessPaymentResponse
	RefundPaymentRequest   = paymentsv1.RefundPaymentRequest
	RefundPaymentResponse  = paymentsv1.RefundPaymentResponse
	HealthStatus           = paymentsv1.HealthStatus
	Money                  = paymentsv1.Money
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
