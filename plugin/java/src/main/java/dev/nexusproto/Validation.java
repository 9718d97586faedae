package dev.nexusproto;

import build.buf.protovalidate.ValidationResult;
import build.buf.protovalidate.Validator;
import build.buf.protovalidate.ValidatorFactory;
import build.buf.protovalidate.exceptions.ValidationException;
import build.buf.validate.FieldPathElement;
import build.buf.validate.Violation;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages checked against their buf.validate rules, with protovalidate-java.
 *
 * <p>A broken rule reads {@code field.path: message [rule id]}, exactly as the Python runtime
 * prints it (map keys quoted as Python's {@code repr} quotes them), so that a violation reported
 * by a Java handler and one reported by a Python handler are the same text.
 */
public final class Validation {
  private static final Validator VALIDATOR = ValidatorFactory.newBuilder().build();

  private Validation() {}

  /**
   * Every rule that {@code message} breaks, in the order protovalidate reports them; empty when it
   * keeps them all.
   *
   * @throws ValidationException when a rule cannot be compiled or evaluated: a bug in the
   *     contract, not in the message
   */
  public static List<String> violations(Message message) throws ValidationException {
    ValidationResult result = VALIDATOR.validate(message);
    List<String> found = new ArrayList<>();
    for (build.buf.protovalidate.Violation violation : result.getViolations()) {
      found.add(format(violation.toProto()));
    }
    return found;
  }

  /**
   * One violation as {@code field.path: message [rule id]}: the message alone for a rule on the
   * whole message, no brackets without a rule ID.
   */
  public static String format(Violation violation) {
    String text = violation.getMessage();
    String path = fieldPath(violation);
    if (!path.isEmpty()) {
      text = path + ": " + text;
    }
    if (!violation.getRuleId().isEmpty()) {
      text += " [" + violation.getRuleId() + "]";
    }
    return text;
  }

  /** The text of the errors that report violations: {@code <message full name>: v1; v2}. */
  public static String summary(Message message, List<String> violations) {
    return message.getDescriptorForType().getFullName() + ": " + String.join("; ", violations);
  }

  private static String fieldPath(Violation violation) {
    StringBuilder out = new StringBuilder();
    for (FieldPathElement element : violation.getField().getElementsList()) {
      // As the Python runtime: no dot before the first name.
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(element.getFieldName());
      String subscript;
      switch (element.getSubscriptCase()) {
        case INDEX:
          subscript = Long.toUnsignedString(element.getIndex());
          break;
        case BOOL_KEY:
          subscript = Boolean.toString(element.getBoolKey());
          break;
        case INT_KEY:
          subscript = Long.toString(element.getIntKey());
          break;
        case UINT_KEY:
          subscript = Long.toUnsignedString(element.getUintKey());
          break;
        case STRING_KEY:
          subscript = pythonRepr(element.getStringKey());
          break;
        default:
          continue;
      }
      out.append('[').append(subscript).append(']');
    }
    return out.toString();
  }

  /**
   * {@code text} quoted as Python's {@code repr(str)} quotes it: single quotes unless the text
   * holds a single quote and no double quote; the backslash, the chosen quote, tab, newline and
   * carriage return escaped; characters Python does not print as they are written as {@code \xhh},
   * {@code backslash-u hhhh} or {@code backslash-U hhhhhhhh}.
   */
  static String pythonRepr(String text) {
    char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder out = new StringBuilder().append(quote);
    text.codePoints()
        .forEach(
            code -> {
              if (code == quote || code == '\\') {
                out.append('\\').appendCodePoint(code);
              } else if (code == '\t') {
                out.append("\\t");
              } else if (code == '\n') {
                out.append("\\n");
              } else if (code == '\r') {
                out.append("\\r");
              } else if (isPythonPrintable(code)) {
                out.appendCodePoint(code);
              } else if (code < 0x100) {
                out.append(String.format("\\x%02x", code));
              } else if (code < 0x10000) {
                out.append(String.format("\\u%04x", code));
              } else {
                out.append(String.format("\\U%08x", code));
              }
            });
    return out.append(quote).toString();
  }

  /** Python's str.isprintable for one character: not a control, format, private-use,
   * surrogate, unassigned or separator character, except the ASCII space. */
  private static boolean isPythonPrintable(int code) {
    if (code == ' ') {
      return true;
    }
    switch (Character.getType(code)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.PRIVATE_USE:
      case Character.SURROGATE:
      case Character.UNASSIGNED:
      case Character.SPACE_SEPARATOR:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return false;
      default:
        return true;
    }
  }
}
