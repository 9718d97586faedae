//go:build !oldcontract && !newcontract

package main

// The generated Nexus code of the orders contracts (orders_nexus.pb.go and
// carts_nexus.pb.go in package ordersv1, from protoc-gen-nexus-go, as a Go team
// generates every contract file). The program serves and calls only
// PaymentService; these declarations make its build compile and type-check the
// orders package's generated API all the same: the handler interfaces, that
// the Unimplemented types satisfy them (CartService's update, signal and query
// bindings included), and the constructors of services and clients with the
// signatures Go code calls them with. build.sh also builds and vets every
// package of the generated module on its own.
//
// Only in the build against the current contracts: ordersv1 imports the
// current payments package, which the oldcontract and newcontract builds
// replace with their own (two registrations of payments/v1/payments.proto
// would panic at start-up).

import (
	"github.com/nexus-rpc/sdk-go/nexus"
	"go.temporal.io/sdk/client"
	ordersv1 "nexusproto.test/interop/gen/current/ordersv1"
)

var (
	_ ordersv1.OrderServiceNexusHandler = ordersv1.UnimplementedOrderServiceNexusHandler{}
	_ ordersv1.CartServiceNexusHandler  = ordersv1.UnimplementedCartServiceNexusHandler{}

	_ func(ordersv1.OrderServiceNexusHandler) (*nexus.Service, error)                     = ordersv1.NewOrderServiceNexusService
	_ func(string) *ordersv1.OrderServiceNexusClient                                      = ordersv1.NewOrderServiceNexusClient
	_ func(client.Client, string) (*ordersv1.OrderServiceStandaloneClient, error)         = ordersv1.NewOrderServiceStandaloneClient
	_ func(ordersv1.CartServiceNexusHandler) (*nexus.Service, error)                      = ordersv1.NewCartServiceNexusService
	_ func(string) *ordersv1.CartServiceNexusClient                                       = ordersv1.NewCartServiceNexusClient
	_ func(client.Client, string) (*ordersv1.CartServiceStandaloneClient, error)          = ordersv1.NewCartServiceStandaloneClient
	_ nexus.OperationReference[*ordersv1.AddItemRequest, *ordersv1.Cart]                  = ordersv1.CartServiceAddItemOperation
	_ nexus.OperationReference[*ordersv1.ApplyCouponRequest, nexus.NoValue]               = ordersv1.CartServiceApplyCouponOperation
	_ nexus.OperationReference[*ordersv1.PlaceOrderRequest, *ordersv1.PlaceOrderResponse] = ordersv1.OrderServicePlaceOrderOperation
)
