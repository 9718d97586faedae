package dev.nexusproto;

/** Which sides of an operation the generated code checks against their buf.validate rules. */
public enum Checks {
  /** Neither side has rules, or the contract turned validation off. */
  NONE(false, false),
  /** The request: the caller sends no invalid request, the handler serves none. */
  REQUEST(true, false),
  /** The response: the handler returns no invalid response. */
  RESPONSE(false, true),
  /** Both. */
  REQUEST_AND_RESPONSE(true, true);

  private final boolean request;
  private final boolean response;

  Checks(boolean request, boolean response) {
    this.request = request;
    this.response = response;
  }

  /** Whether requests are checked. */
  public boolean request() {
    return request;
  }

  /** Whether responses are checked. */
  public boolean response() {
    return response;
  }
}
