//go:build !oldcontract && !newcontract

package main

// The shared wire vectors (tests/interop/vectors, written by the Python SDK's
// default data converter; format in tests/interop/README.md) against the Go
// SDK's default data converter. For each vector:
//   - Go builds the message from the vector's proto JSON, and its converters
//     produce the vector's metadata exactly, the same binary/protobuf bytes, and
//     json/protobuf data that is the same JSON value (Go's protojson varies its
//     whitespace on purpose, so bytes are not compared) with the same keys,
//     lowerCamelCase as proto JSON wants;
//   - Go reads the vector's own payloads (Python's bytes) back into an equal message.
//
// Run by tests/interop/test_go.py; by hand: cd tests/interop/go && go test ./...
// (after build.sh). INTEROP_VECTORS overrides the directory.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	// Registers the message types the vectors name.
	_ "google.golang.org/protobuf/types/known/emptypb"
	_ "nexusproto.test/interop/gen/current/ordersv1"
	_ "nexusproto.test/interop/gen/current/paymentsv1"
)

// The messages the vectors must cover, at least.
var wantVectors = []string{
	"google.protobuf.Empty",
	"orders.v1.PlaceOrderRequest",
	"payments.v1.HealthStatus",
	"payments.v1.ProcessPaymentRequest",
	"payments.v1.ProcessPaymentResponse",
	"payments.v1.RefundPaymentRequest",
	"payments.v1.RefundPaymentResponse",
}

type vectorFile struct {
	Format      int                      `json:"format"`
	MessageType string                   `json:"message_type"`
	ProtoJSON   json.RawMessage          `json:"proto_json"`
	Payloads    map[string]vectorPayload `json:"payloads"`
}

type vectorPayload struct {
	Metadata   map[string]string `json:"metadata"`
	Data       *string           `json:"data"`
	DataBase64 string            `json:"data_base64"`
}

func (p vectorPayload) payload(t *testing.T) *commonpb.Payload {
	data, err := base64.StdEncoding.DecodeString(p.DataBase64)
	if err != nil {
		t.Fatalf("data_base64: %v", err)
	}
	if p.Data != nil && *p.Data != string(data) {
		t.Fatalf("data and data_base64 disagree")
	}
	metadata := map[string][]byte{}
	for key, value := range p.Metadata {
		metadata[key] = []byte(value)
	}
	return &commonpb.Payload{Metadata: metadata, Data: data}
}

func vectorsDir() string {
	if dir := os.Getenv("INTEROP_VECTORS"); dir != "" {
		return dir
	}
	return filepath.Join("..", "vectors")
}

func loadVectors(t *testing.T) map[string]vectorFile {
	paths, err := filepath.Glob(filepath.Join(vectorsDir(), "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no vectors in %s (%v)", vectorsDir(), err)
	}
	vectors := map[string]vectorFile{}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var v vectorFile
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if v.Format != 1 {
			t.Fatalf("%s: format %d, this test reads format 1", path, v.Format)
		}
		if want := v.MessageType + ".json"; filepath.Base(path) != want {
			t.Fatalf("%s: holds %s, so should be named %s", path, v.MessageType, want)
		}
		vectors[v.MessageType] = v
	}
	return vectors
}

func TestVectorsCoverTheExampleMessages(t *testing.T) {
	vectors := loadVectors(t)
	for _, name := range wantVectors {
		if _, ok := vectors[name]; !ok {
			t.Errorf("no vector for %s", name)
		}
	}
}

func TestGoConverterMatchesVectors(t *testing.T) {
	for name, v := range loadVectors(t) {
		t.Run(name, func(t *testing.T) {
			message := newMessage(t, name)
			if err := protojson.Unmarshal(v.ProtoJSON, message); err != nil {
				t.Fatalf("proto_json: %v", err)
			}
			jsonVector, ok := v.Payloads["json/protobuf"]
			if !ok {
				t.Fatal("no json/protobuf payload")
			}
			binaryVector, ok := v.Payloads["binary/protobuf"]
			if !ok {
				t.Fatal("no binary/protobuf payload")
			}

			// The default converter picks json/protobuf for a message, as Python's does.
			jsonPayload, err := converter.GetDefaultDataConverter().ToPayload(message)
			if err != nil {
				t.Fatal(err)
			}
			checkMetadata(t, "json/protobuf", jsonPayload, jsonVector)
			want := jsonVector.payload(t)
			checkSameJSON(t, jsonPayload.GetData(), want.GetData())

			binaryPayload, err := converter.NewProtoPayloadConverter().ToPayload(message)
			if err != nil {
				t.Fatal(err)
			}
			checkMetadata(t, "binary/protobuf", binaryPayload, binaryVector)
			if got, want := binaryPayload.GetData(), binaryVector.payload(t).GetData(); !bytes.Equal(got, want) {
				t.Errorf("binary/protobuf data: Go %x, vector %x", got, want)
			}

			// Go reads the Python SDK's payloads back (by their metadata).
			for encoding, vp := range v.Payloads {
				back := newMessage(t, name)
				if err := converter.GetDefaultDataConverter().FromPayload(vp.payload(t), back); err != nil {
					t.Errorf("%s: Go cannot read the vector's payload: %v", encoding, err)
				} else if !proto.Equal(back, message) {
					t.Errorf("%s: read %v, want %v", encoding, back, message)
				}
			}
		})
	}
}

func newMessage(t *testing.T, name string) proto.Message {
	messageType, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return messageType.New().Interface()
}

func checkMetadata(t *testing.T, encoding string, got *commonpb.Payload, want vectorPayload) {
	t.Helper()
	metadata := map[string]string{}
	for key, value := range got.GetMetadata() {
		metadata[key] = string(value)
	}
	if !reflect.DeepEqual(metadata, want.Metadata) {
		t.Errorf("%s metadata: Go %v, vector %v", encoding, metadata, want.Metadata)
	}
}

// checkSameJSON compares two JSON documents as values, and their object keys,
// which must be lowerCamelCase (proto JSON's names, never the proto field names).
func checkSameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	var gotValue, wantValue any
	if err := json.Unmarshal(got, &gotValue); err != nil {
		t.Fatalf("Go's json/protobuf data is no JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal(want, &wantValue); err != nil {
		t.Fatalf("the vector's json/protobuf data is no JSON: %v", err)
	}
	if !reflect.DeepEqual(gotValue, wantValue) {
		t.Errorf("json/protobuf data: Go %s, vector %s", got, want)
	}
	gotKeys, wantKeys := objectKeys(gotValue, ""), objectKeys(wantValue, "")
	if !reflect.DeepEqual(gotKeys, wantKeys) {
		t.Errorf("json/protobuf keys: Go %v, vector %v", gotKeys, wantKeys)
	}
	for _, key := range gotKeys {
		name := key[strings.LastIndex(key, ".")+1:]
		if strings.Contains(name, "_") || (name != "" && unicode.IsUpper(rune(name[0]))) {
			t.Errorf("json/protobuf key %q is not lowerCamelCase", key)
		}
	}
}

// objectKeys lists the dotted paths of all object keys in a JSON value, sorted.
func objectKeys(value any, prefix string) []string {
	var keys []string
	if object, ok := value.(map[string]any); ok {
		for key, inner := range object {
			path := key
			if prefix != "" {
				path = prefix + "." + key
			}
			keys = append(keys, path)
			keys = append(keys, objectKeys(inner, path)...)
		}
	}
	sort.Strings(keys)
	return keys
}
