package dev.jbuild.layercache.tar;

/** The one place codec error messages are made; tests reuse these methods to assert them. */
public final class TarErrors {
  private TarErrors() {}

  // --- writer misuse -----------------------------------------------------------------------

  public static String outOfOrder(String name, String previous) {
    return "layer entry "
        + name
        + " is out of canonical order: it follows "
        + previous
        + " (entries must be depth-first with siblings sorted by name bytes)";
  }

  public static String contentTooShort(String name, long expected, long actual) {
    return "layer entry " + name + ": content ended after " + actual + " of " + expected + " bytes";
  }

  public static String contentTooLong(String name, long expected) {
    return "layer entry " + name + ": content is longer than its declared size " + expected;
  }

  public static String writerFinished() {
    return "layer writer already finished";
  }

  // --- reading ---------------------------------------------------------------------------

  public static String truncated(String name) {
    return "truncated layer tar: entry " + name + " is cut short";
  }

  public static String truncatedHeader(String after) {
    return "truncated layer tar: header block cut short "
        + (after == null ? "at the start" : "after entry " + after);
  }

  public static String badChecksum(String after) {
    return "malformed layer tar: bad header checksum "
        + (after == null ? "in the first header" : "in the header after entry " + after);
  }

  public static String badHeader(String name, String problem) {
    return "malformed layer tar: entry " + name + ": " + problem;
  }

  public static String unsupportedType(String name, char flag) {
    return "malformed layer tar: entry " + name + " has unsupported type '" + flag + "'";
  }

  public static String corrupt(String name, String cause) {
    return "corrupt layer data in entry " + name + ": " + cause;
  }

  public static String missingEnd(String after) {
    return "truncated layer tar: no end-of-archive marker after entry " + after;
  }

  // --- applying --------------------------------------------------------------------------

  public static String escapes(String name, String why) {
    return "layer entry " + name + " is rejected: " + why;
  }

  public static String hardlinkTargetMissing(String name, String target) {
    return "layer entry "
        + name
        + ": hardlink target "
        + target
        + " does not exist in the layer root";
  }

  public static String hardlinkToDirectory(String name, String target) {
    return "layer entry " + name + ": hardlink target " + target + " is a directory";
  }

  public static String applyFailed(String name, String what) {
    return "layer entry " + name + ": " + what;
  }
}
