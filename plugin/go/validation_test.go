package nexusproto

import (
	"encoding/json"
	"os"
	"testing"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"google.golang.org/protobuf/proto"

	"nexusproto.dev/go/internal/testpb"
)

// internal/testpb/violations.pb.go is generated from violations.proto with
// protoc-gen-go v1.36.12 (run from the repository root):
//
//	.venv/bin/protoc --descriptor_set_in=build/validate.binpb -Iplugin/go/internal/testpb \
//	    --include_imports --descriptor_set_out=/tmp/testpb.binpb violations.proto
//	.venv/bin/protoc --descriptor_set_in=/tmp/testpb.binpb --go_out=plugin/go/internal/testpb \
//	    --go_opt=paths=source_relative --go_opt=Mviolations.proto=nexusproto.dev/go/internal/testpb violations.proto

// pythonCase is one entry of testdata/python_violations.json: the summary the
// Python runtime gives for a test message (held to it by tests/unit/test_violation_text.py).
type pythonCase struct {
	Name    string  `json:"name"`
	Key     *string `json:"key"`
	Summary string  `json:"summary"`
}

func invalidItem() *testpb.Item { return &testpb.Item{} }

// TestViolationsMatchPython checks the Go runtime's text against the Python
// runtime's for the same messages: nested paths, list indexes, every kind of
// map key, a rule on the whole message and a rule without an ID.
func TestViolationsMatchPython(t *testing.T) {
	data, err := os.ReadFile("testdata/python_violations.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []pythonCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	messages := map[string]proto.Message{
		"empty order": &testpb.Order{},
		"every shape": &testpb.Order{
			Note:     "n",
			Code:     "abc",
			Main:     invalidItem(),
			Items:    []*testpb.Item{{Sku: "ok"}, invalidItem()},
			ByName:   map[string]*testpb.Item{"it's": invalidItem()},
			ById:     map[int64]*testpb.Item{-5: invalidItem()},
			ByFlag:   map[bool]*testpb.Item{true: invalidItem()},
			ByNumber: map[uint32]*testpb.Item{7: invalidItem()},
		},
	}
	if len(cases) < len(messages)+10 {
		t.Fatalf("python_violations.json has %d cases, want more", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			message, ok := messages[c.Name]
			if c.Key != nil {
				message, ok = &testpb.Order{Note: "n", ByName: map[string]*testpb.Item{*c.Key: invalidItem()}}, true
			}
			if !ok {
				t.Fatalf("no Go message for case %q", c.Name)
			}
			found, err := Violations(message)
			if err != nil {
				t.Fatal(err)
			}
			if got := Summary(message, found); got != c.Summary {
				t.Errorf("summary\n got: %s\nwant: %s", got, c.Summary)
			}
		})
	}
}

func TestViolationsOfValidMessage(t *testing.T) {
	found, err := Violations(&testpb.Order{Note: "n", Items: []*testpb.Item{{Sku: "a"}}, Code: "X1"})
	if err != nil || found != nil {
		t.Fatalf("Violations = %q, %v; want nil, nil", found, err)
	}
}

func element(name string) *validate.FieldPathElement {
	return validate.FieldPathElement_builder{FieldName: proto.String(name)}.Build()
}

func TestFormatViolation(t *testing.T) {
	index := element("lines")
	index.SetIndex(0)
	key := element("labels")
	key.SetStringKey("it's")
	boolKey := element("flags")
	boolKey.SetBoolKey(false)
	intKey := element("by_id")
	intKey.SetIntKey(-3)
	uintKey := element("by_number")
	uintKey.SetUintKey(18446744073709551615)
	path := func(elements ...*validate.FieldPathElement) *validate.FieldPath {
		return validate.FieldPath_builder{Elements: elements}.Build()
	}
	violation := func(field *validate.FieldPath, ruleID, message string) *validate.Violation {
		v := validate.Violation_builder{Field: field, Message: proto.String(message)}.Build()
		if ruleID != "" {
			v.SetRuleId(ruleID)
		}
		return v
	}
	tests := []struct {
		name      string
		violation *validate.Violation
		want      string
	}{
		{"nested path", violation(path(element("amount"), element("currency")), "string.pattern", "does not match"),
			"amount.currency: does not match [string.pattern]"},
		{"list index", violation(path(index, element("sku")), "string.min_len", "too short"),
			"lines[0].sku: too short [string.min_len]"},
		{"map key with quote", violation(path(key), "string.min_len", "too short"),
			`labels["it's"]: too short [string.min_len]`},
		{"bool, int and uint keys", violation(path(boolKey, intKey, uintKey), "x", "m"),
			"flags[false].by_id[-3].by_number[18446744073709551615]: m [x]"},
		{"no rule id", violation(path(element("code")), "", "code must start with X"),
			"code: code must start with X"},
		{"no path", violation(nil, "order.note", "needs a note"), "needs a note [order.note]"},
		{"neither", violation(nil, "", "bad"), "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatViolation(tt.violation); got != tt.want {
				t.Errorf("FormatViolation = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPythonRepr: the expected values are Python 3.11's repr of the same strings.
func TestPythonRepr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `''`},
		{"plain", `'plain'`},
		{"it's", `"it's"`},
		{`say "hi"`, `'say "hi"'`},
		{`both ' and "`, `'both \' and "'`},
		{"tab\there", `'tab\there'`},
		{"nl\n cr\r", `'nl\n cr\r'`},
		{`back\slash`, `'back\\slash'`},
		{"\x00\x1f\x7f\u0080\u009f", `'\x00\x1f\x7f\x80\x9f'`},
		{"é€😀", `'é€😀'`},
		{"\u00a0\u00ad\u200b\u2028", `'\xa0\xad\u200b\u2028'`},
		{"\ue000", `'\ue000'`},
		{"\U000e0001", `'\U000e0001'`},
		{"\ufffd", "'\ufffd'"},
		// Not UTF-8: no Python string has it; each byte is escaped.
		{"a\xffb", `'a\xffb'`},
	}
	for _, tt := range tests {
		if got := pythonRepr(tt.in); got != tt.want {
			t.Errorf("pythonRepr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
