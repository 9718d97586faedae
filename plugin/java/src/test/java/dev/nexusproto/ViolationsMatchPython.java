package dev.nexusproto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import nexusproto.internal.testpb.Violations.Item;
import nexusproto.internal.testpb.Violations.Order;

/**
 * The runtime's violation text against the Python runtime's for the same messages: nested
 * paths, list indexes, every kind of map key (string keys quoted as Python's repr quotes them), a
 * rule on the whole message and a rule without an ID. The expected summaries are the Go runtime's
 * test data (plugin/go/testdata/python_violations.json), which the Python runtime writes.
 *
 * <p>Run with the file's path: prints one line per case, {@code ok NAME} or {@code FAIL NAME},
 * the text got and the text wanted; exits 1 when a case fails.
 */
public final class ViolationsMatchPython {
  private ViolationsMatchPython() {}

  private static Item invalidItem() {
    return Item.getDefaultInstance();
  }

  private static Message messageOf(JsonNode entry) {
    if (entry.hasNonNull("key")) {
      return Order.newBuilder()
          .setNote("n")
          .putByName(entry.get("key").asText(), invalidItem())
          .build();
    }
    switch (entry.get("name").asText()) {
      case "empty order":
        return Order.getDefaultInstance();
      case "every shape":
        return Order.newBuilder()
            .setNote("n")
            .setCode("abc")
            .setMain(invalidItem())
            .addItems(Item.newBuilder().setSku("ok"))
            .addItems(invalidItem())
            .putByName("it's", invalidItem())
            .putById(-5, invalidItem())
            .putByFlag(true, invalidItem())
            .putByNumber(7, invalidItem())
            .build();
      default:
        throw new IllegalArgumentException("no Java message for case " + entry.get("name"));
    }
  }

  public static void main(String[] args) throws Exception {
    JsonNode cases = new ObjectMapper().readTree(new File(args[0]));
    List<String> failed = new ArrayList<>();
    for (JsonNode entry : cases) {
      Message message = messageOf(entry);
      String got = Validation.summary(message, Validation.violations(message));
      String want = entry.get("summary").asText();
      String name = entry.get("name").asText();
      if (got.equals(want)) {
        System.out.println("ok " + name);
      } else {
        failed.add(name);
        System.out.println("FAIL " + name + "\n  got:  " + got + "\n  want: " + want);
      }
    }
    Order valid =
        Order.newBuilder().setNote("n").addItems(Item.newBuilder().setSku("a")).setCode("X1").build();
    if (!Validation.violations(valid).isEmpty()) {
      failed.add("valid order");
      System.out.println("FAIL valid order: " + Validation.violations(valid));
    }
    System.out.println(cases.size() + " cases, " + failed.size() + " failed");
    System.exit(failed.isEmpty() ? 0 : 1);
  }
}
