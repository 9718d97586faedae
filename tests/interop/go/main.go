// Command interop is the Go team of the interop tests (tests/interop/test_go.py):
// a Temporal Go SDK program built on the Go code that protoc-gen-nexus-go
// generates for the payments contract (payments_nexus.pb.go, with the runtime
// nexusproto.dev/go). It calls the Python handler of the contract through a
// Nexus endpoint with the generated client, and serves the contract for the
// generated Python clients with the generated handler. See
// tests/interop/README.md.
//
//	interop caller --address HOST:PORT --namespace NS --endpoint EP [--converter C] SCENARIO...
//	    runs each scenario as a caller workflow on a worker of its own, prints one
//	    JSON report (see caller.go) on stdout and exits.
//	interop standalone --address HOST:PORT --namespace NS --endpoint EP [--converter C] SCENARIO...
//	    calls the endpoint from application code, outside workflows, with the
//	    generated PaymentServiceStandaloneClient: each scenario's calls are
//	    standalone Nexus operations of NS (experimental in the Go SDK); prints
//	    one JSON report (see standalone.go) on stdout and exits.
//	interop serve --address HOST:PORT --namespace NS --worker task-queue=TQ,converter=C ...
//	    runs a PaymentService handler worker per --worker, prints {"ready": true}
//	    once they poll, then one JSON line per call served or workflow started
//	    (see handler.go); stops on SIGTERM.
//
// C, the data converter of the program's client: "default" (the Go SDK's:
// json/protobuf first), "lenient" (the same, ignoring unknown JSON fields),
// "binary" (binary/protobuf first).
//
// Built three times by build.sh: against the current contracts, with the build
// tag oldcontract against the older payments contract (contract_old.go), and
// with newcontract against the newer one (contract_new.go), each with the
// generated code of its contract.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"unicode/utf8"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	tlog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "caller":
		err = runCaller(os.Args[2:])
	case "standalone":
		err = runStandalone(os.Args[2:])
	case "serve":
		err = runServe(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: interop caller|standalone|serve [flags]; see main.go")
	os.Exit(2)
}

// dataConverter is the converter named on the command line.
func dataConverter(name string) (converter.DataConverter, error) {
	switch name {
	case "default":
		return converter.GetDefaultDataConverter(), nil
	case "lenient":
		return converter.NewCompositeDataConverter(
			converter.NewNilPayloadConverter(),
			converter.NewByteSlicePayloadConverter(),
			converter.NewProtoJSONPayloadConverterWithOptions(
				converter.ProtoJSONPayloadConverterOptions{AllowUnknownFields: true}),
			converter.NewProtoPayloadConverter(),
			converter.NewJSONPayloadConverter(),
		), nil
	case "binary":
		return converter.NewCompositeDataConverter(
			converter.NewNilPayloadConverter(),
			converter.NewByteSlicePayloadConverter(),
			converter.NewProtoPayloadConverter(),
			converter.NewProtoJSONPayloadConverter(),
			converter.NewJSONPayloadConverter(),
		), nil
	}
	return nil, fmt.Errorf("unknown converter %q (default, lenient, binary)", name)
}

// dial connects a client whose SDK logs go to stderr (warnings and up), so
// that stdout carries only the program's JSON.
func dial(address, namespace, converterName string) (client.Client, error) {
	dc, err := dataConverter(converterName)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return client.Dial(client.Options{
		HostPort:      address,
		Namespace:     namespace,
		DataConverter: dc,
		Logger:        tlog.NewStructuredLogger(logger),
	})
}

// Payload is a Temporal payload as the reports show it: metadata as text, data
// as text when it is UTF-8 and always as base64.
type Payload struct {
	Metadata   map[string]string `json:"metadata"`
	Data       string            `json:"data"`
	DataBase64 string            `json:"data_base64"`
}

func reportPayload(p *commonpb.Payload) *Payload {
	if p == nil {
		return nil
	}
	out := &Payload{Metadata: map[string]string{}, DataBase64: base64.StdEncoding.EncodeToString(p.GetData())}
	for key, value := range p.GetMetadata() {
		out.Metadata[key] = string(value)
	}
	if utf8.Valid(p.GetData()) {
		out.Data = string(p.GetData())
	}
	return out
}

// protoJSON is a message as proto JSON (compacted once embedded in a report),
// or JSON null for nil and for values that are no message (nexus.NoValue).
func protoJSON(value any) json.RawMessage {
	message, ok := value.(proto.Message)
	if !ok || message == nil || !message.ProtoReflect().IsValid() {
		return json.RawMessage("null")
	}
	data, err := protojson.Marshal(message)
	if err != nil {
		return json.RawMessage(fmt.Sprintf("%q", "protojson: "+err.Error()))
	}
	return data
}

// printJSON writes one compact JSON document and a newline to stdout.
func printJSON(value any) error {
	data, err := json.Marshal(value)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(data, '\n'))
	return err
}
