package nexusproto

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"
)

// Violations returns every buf.validate rule that message breaks, each as
// "field.path: message [rule id]", in the order protovalidate reports them; it
// returns nil when message keeps all its rules.
//
// The error is not about message: it is a rule that cannot be compiled or
// evaluated (protovalidate's CompilationError or RuntimeError), a bug in the
// contract.
func Violations(message proto.Message) ([]string, error) {
	err := protovalidate.Validate(message)
	if err == nil {
		return nil, nil
	}
	var invalid *protovalidate.ValidationError
	if !errors.As(err, &invalid) {
		return nil, err
	}
	found := make([]string, len(invalid.Violations))
	for i, violation := range invalid.Violations {
		found[i] = FormatViolation(violation.Proto)
	}
	return found, nil
}

// FormatViolation formats one violation as "field.path: message [rule id]":
// without a field path (a rule on the whole message) it is the message alone,
// and without a rule ID there are no brackets. It reads exactly as the Python
// runtime's, so both languages report a broken rule with the same text.
func FormatViolation(violation *validate.Violation) string {
	text := violation.GetMessage()
	if path := fieldPath(violation.GetField()); path != "" {
		text = path + ": " + text
	}
	if id := violation.GetRuleId(); id != "" {
		text += " [" + id + "]"
	}
	return text
}

// Summary joins the violations of message into the text of the errors that
// report them: "<message full name>: v1; v2".
func Summary(message proto.Message, violations []string) string {
	return string(message.ProtoReflect().Descriptor().FullName()) + ": " + strings.Join(violations, "; ")
}

// fieldPath is the path of a violation's field as Python prints it, for
// example items[0].name or labels['key']. It differs from
// protovalidate.FieldPathString in the quoting of string map keys, which
// follows Python's repr, not Go's strconv.Quote.
func fieldPath(path *validate.FieldPath) string {
	var out strings.Builder
	for _, element := range path.GetElements() {
		// As Python's `out += f".{name}" if out else name`: no dot before the
		// first name, even after a leading subscript of an unnamed element.
		if out.Len() > 0 {
			out.WriteByte('.')
		}
		out.WriteString(element.GetFieldName())
		var subscript string
		switch element.WhichSubscript() {
		case validate.FieldPathElement_Index_case:
			subscript = strconv.FormatUint(element.GetIndex(), 10)
		case validate.FieldPathElement_BoolKey_case:
			subscript = strconv.FormatBool(element.GetBoolKey())
		case validate.FieldPathElement_IntKey_case:
			subscript = strconv.FormatInt(element.GetIntKey(), 10)
		case validate.FieldPathElement_UintKey_case:
			subscript = strconv.FormatUint(element.GetUintKey(), 10)
		case validate.FieldPathElement_StringKey_case:
			subscript = pythonRepr(element.GetStringKey())
		default:
			continue
		}
		out.WriteString("[" + subscript + "]")
	}
	return out.String()
}

// pythonRepr quotes s as Python's repr(str) does: single quotes, unless s
// contains a single quote and no double quote; backslash, the chosen quote,
// \t, \n and \r escaped; other characters that Python does not consider
// printable as \xhh, \uhhhh or \Uhhhhhhhh. Python's printable characters and
// unicode.IsPrint agree (letters, marks, numbers, punctuation, symbols and the
// ASCII space), up to the Unicode versions of the two languages: a character
// assigned only in the newer one is escaped by the older.
//
// Bytes that are not UTF-8, which no Python string holds (and proto3 parsing
// rejects), come out as \xhh.
func pythonRepr(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var out strings.Builder
	out.WriteRune(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&out, `\x%02x`, s[i])
		case r == quote || r == '\\':
			out.WriteByte('\\')
			out.WriteRune(r)
		case r == '\t':
			out.WriteString(`\t`)
		case r == '\n':
			out.WriteString(`\n`)
		case r == '\r':
			out.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&out, `\x%02x`, r)
		case r < utf8.RuneSelf || unicode.IsPrint(r):
			out.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&out, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&out, `\u%04x`, r)
		default:
			fmt.Fprintf(&out, `\U%08x`, r)
		}
		i += size
	}
	out.WriteRune(quote)
	return out.String()
}
