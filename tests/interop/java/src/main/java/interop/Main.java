package interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.converter.ByteArrayPayloadConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.common.converter.NullPayloadConverter;
import io.temporal.common.converter.ProtobufJsonPayloadConverter;
import io.temporal.common.converter.ProtobufPayloadConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Java team of the interop tests (tests/interop/test_java.py): a Temporal
 * Java SDK program that calls the Python handler of the payments contract
 * through a Nexus endpoint, serves the same contract for the generated Python
 * clients, and checks the shared wire vectors. See tests/interop/README.md.
 *
 * <pre>
 * interop caller --address HOST:PORT --namespace NS --endpoint EP [--converter C] SCENARIO...
 *     runs each scenario as a caller workflow on a worker of its own, prints one
 *     JSON report (see Caller) on stdout and exits.
 * interop serve --address HOST:PORT --namespace NS --worker task-queue=TQ,empty=E,converter=C ...
 *     runs a PaymentService handler worker per --worker, prints {"ready": true}
 *     once they poll, then one JSON line per call served; stops on SIGTERM.
 * interop vectors DIR MESSAGE_CLASSES_FILE
 *     the wire vectors in DIR against the Java SDK's converters (see Vectors);
 *     the file names the generated outer classes (build.sh writes it).
 * </pre>
 *
 * <p>C, the data converter of the program's client: "default" (the Java SDK's:
 * json/protobuf first, unknown JSON fields ignored), "strict" (the same with
 * JsonFormat.parser(), which refuses unknown fields), "binary" (binary/protobuf
 * first). E, how the handler types
 * google.protobuf.Empty: "void" (no parameter, void result: the
 * generated {@link payments.v1.PaymentServiceNexus}) or "message"
 * (com.google.protobuf.Empty: {@link PaymentServiceEmptyMessage}, by hand).
 */
public final class Main {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final PrintStream STDOUT = System.out;

  private Main() {}

  public static void main(String[] args) throws Exception {
    // stdout carries only the program's JSON: anything else printed goes to stderr.
    System.setOut(System.err);
    if (args.length < 1) {
      usage();
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    int status;
    switch (args[0]) {
      case "caller":
        status = Caller.run(rest);
        break;
      case "serve":
        status = Handler.run(rest);
        break;
      case "vectors":
        status = Vectors.run(rest);
        break;
      default:
        usage();
        return;
    }
    System.exit(status);
  }

  private static void usage() {
    System.err.println("usage: interop caller|serve|vectors [flags]; see Main.java");
    System.exit(2);
  }

  /** The data converter named on the command line. */
  static DataConverter dataConverter(String name) {
    switch (name) {
      case "default":
        return DefaultDataConverter.newDefaultInstance();
      case "strict":
        // JsonFormat.parser() as it comes: refuses unknown fields (the SDK's
        // default ProtobufJsonPayloadConverter ignores them).
        return DefaultDataConverter.newDefaultInstance()
            .withPayloadConverterOverrides(
                new ProtobufJsonPayloadConverter(JsonFormat.printer(), JsonFormat.parser()));
      case "binary":
        return new DefaultDataConverter(
            new NullPayloadConverter(),
            new ByteArrayPayloadConverter(),
            new ProtobufPayloadConverter(),
            new ProtobufJsonPayloadConverter(),
            new JacksonJsonPayloadConverter());
      default:
        throw new IllegalArgumentException(
            "unknown converter " + name + " (default, strict, binary)");
    }
  }

  static WorkflowServiceStubs connect(String address) {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
  }

  static WorkflowClient client(WorkflowServiceStubs service, String namespace, String converter) {
    return WorkflowClient.newInstance(
        service,
        WorkflowClientOptions.newBuilder()
            .setNamespace(namespace)
            .setDataConverter(dataConverter(converter))
            .build());
  }

  /** A flag's value: args[i + 1], or an error naming the flag. */
  static String value(String[] args, int i) {
    if (i + 1 >= args.length) {
      throw new IllegalArgumentException(args[i] + " needs a value");
    }
    return args[i + 1];
  }

  /** A message as proto JSON (JSON null for null). */
  static JsonNode protoJson(Object value) {
    if (!(value instanceof Message)) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(JsonFormat.printer().print((Message) value));
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode("JsonFormat: " + e);
    }
  }

  /** A payload as the reports show it: metadata as text, data as text when it is UTF-8. */
  static ObjectNode payload(Payload payload) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode metadata = out.putObject("metadata");
    Map<String, String> sorted = new TreeMap<>();
    payload.getMetadataMap().forEach((key, value) -> sorted.put(key, value.toStringUtf8()));
    sorted.forEach(metadata::put);
    byte[] data = payload.getData().toByteArray();
    try {
      out.put(
          "data",
          StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(data)).toString());
    } catch (CharacterCodingException e) {
      out.putNull("data");
    }
    out.put("data_base64", Base64.getEncoder().encodeToString(data));
    return out;
  }

  /** Writes one compact JSON document and a newline to stdout. */
  static synchronized void print(Object value) {
    try {
      STDOUT.println(JSON.writeValueAsString(value));
      STDOUT.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
