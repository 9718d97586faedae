package interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.ProtobufPayloadConverter;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The shared wire vectors (tests/interop/vectors, written by the Python SDK's
 * default data converter; format in tests/interop/README.md) through the Java
 * SDK's converters. For each vector file the report says what Java made of the
 * vector's proto JSON (its default converter's payload, its
 * ProtobufPayloadConverter's payload) and whether Java read the vector's own
 * payloads back into an equal message; test_java.py compares. It also reads
 * the json/protobuf payload with a field added (what a newer contract sends)
 * with the default converter and with one whose parser is JsonFormat.parser()
 * (strict), and the json/protobuf payload
 * with another messageType than the message read.
 */
final class Vectors {
  private Vectors() {}

  /**
   * The message classes the vectors may name, by full name: Empty and the
   * messages of the generated outer classes named in `outerClasses`.
   */
  static Map<String, Message> messages(List<String> outerClasses) throws ClassNotFoundException {
    Map<String, Message> byName = new HashMap<>();
    byName.put(Empty.getDescriptor().getFullName(), Empty.getDefaultInstance());
    for (String outerName : outerClasses) {
      for (Class<?> inner : Class.forName(outerName).getDeclaredClasses()) {
        if (Message.class.isAssignableFrom(inner)) {
          try {
            Message instance = (Message) inner.getMethod("getDefaultInstance").invoke(null);
            byName.put(instance.getDescriptorForType().getFullName(), instance);
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return byName;
  }

  static Payload payload(JsonNode vector) {
    Payload.Builder payload = Payload.newBuilder();
    Iterator<Map.Entry<String, JsonNode>> fields = vector.get("metadata").fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      payload.putMetadata(field.getKey(), ByteString.copyFromUtf8(field.getValue().asText()));
    }
    payload.setData(ByteString.copyFrom(Base64.getDecoder().decode(vector.get("data_base64").asText())));
    return payload.build();
  }

  /** What reading a payload into the class of `want` gave: "equal", "different: ...", or the error. */
  static String readBack(DataConverter converter, Payload payload, Message want) {
    try {
      Object back = converter.fromPayload(payload, want.getClass(), want.getClass());
      return want.equals(back) ? "equal" : "different: " + back;
    } catch (RuntimeException e) {
      StringBuilder chain = new StringBuilder();
      for (Throwable t = e; t != null; t = t.getCause()) {
        chain.append(chain.length() == 0 ? "" : " / ").append(t.getClass().getName()).append(": ").append(t.getMessage());
      }
      return chain.toString();
    }
  }

  static int run(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: interop vectors DIR MESSAGE_CLASSES_FILE");
    }
    File[] files = new File(args[0]).listFiles((dir, name) -> name.endsWith(".json"));
    if (files == null || files.length == 0) {
      throw new IllegalArgumentException("no vectors in " + args[0]);
    }
    Arrays.sort(files);
    Map<String, Message> messages =
        messages(Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8));
    DataConverter standard = Main.dataConverter("default");
    // What a strict proto JSON reader does with the same payloads (for contrast).
    DataConverter strict = Main.dataConverter("strict");
    ObjectNode report = Main.JSON.createObjectNode();
    ArrayNode out = report.putArray("vectors");
    for (File file : files) {
      JsonNode vector = Main.JSON.readTree(file);
      String name = vector.get("message_type").asText();
      ObjectNode entry = out.addObject();
      entry.put("file", file.getName());
      entry.put("message_type", name);
      Message prototype = messages.get(name);
      if (prototype == null) {
        entry.put("error", "no Java message class for " + name);
        continue;
      }
      Message.Builder builder = prototype.newBuilderForType();
      JsonFormat.parser().merge(Main.JSON.writeValueAsString(vector.get("proto_json")), builder);
      Message message = builder.build();

      // What Java writes: its default converter, and its binary/protobuf converter.
      Payload json = standard.toPayload(message).orElseThrow();
      entry.set("java_default", Main.payload(json));
      Payload binary = new ProtobufPayloadConverter().toData(message).orElseThrow();
      entry.set("java_binary", Main.payload(binary));

      // Java reads the Python SDK's payloads back (by their metadata).
      ObjectNode read = entry.putObject("read_back");
      vector.get("payloads").fields().forEachRemaining(
          p -> read.put(p.getKey(), readBack(standard, payload(p.getValue()), message)));

      // The json/protobuf payload with a field the message lacks.
      JsonNode jsonVector = vector.get("payloads").get("json/protobuf");
      ObjectNode data = (ObjectNode) Main.JSON.readTree(
          new String(Base64.getDecoder().decode(jsonVector.get("data_base64").asText()), StandardCharsets.UTF_8));
      data.put("fieldFromANewerContract", "x");
      Payload unknown =
          payload(jsonVector).toBuilder()
              .setData(ByteString.copyFromUtf8(Main.JSON.writeValueAsString(data)))
              .build();
      ObjectNode unknownField = entry.putObject("unknown_json_field");
      unknownField.put("default", readBack(standard, unknown, message));
      unknownField.put("strict_parser", readBack(strict, unknown, message));

      // The json/protobuf payload naming another message type than the one read.
      Payload otherType =
          payload(jsonVector).toBuilder()
              .putMetadata("messageType", ByteString.copyFromUtf8("payments.v1.NoSuchMessage"))
              .build();
      entry.put("other_message_type", readBack(standard, otherType, message));
    }
    Main.print(report);
    return 0;
  }
}
