package dev.jbuild.layercache.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

  @Test
  void compactRoundTripKeepsOrderAndNumberText() {
    String text =
        "{\"z\":1,\"a\":[1.0,-0,1e3,12345678901234567890123,2.50E-3],\"m\":{\"k\":null,\"t\":true,"
            + "\"f\":false},\"s\":\"x\"}";
    Json json = Json.parse(text);
    assertEquals(text, json.toString());
    JsonObject o = (JsonObject) json;
    assertEquals(List.of("z", "a", "m", "s"), List.copyOf(o.keys()));
    assertEquals("12345678901234567890123", ((JsonNumber) o.array("a").get(3)).text());
  }

  @Test
  void whitespaceIsDroppedAndPrettyPrintsIndented() {
    Json json = Json.parse(" {\n \"a\" : [ 1 , 2 ] ,\t\"b\":{}, \"c\":[]}\r\n");
    assertEquals("{\"a\":[1,2],\"b\":{},\"c\":[]}", json.toString());
    assertEquals(
        "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}",
        json.toPrettyString("  "));
    assertEquals(json, Json.parse(json.toPrettyString()));
  }

  @Test
  void stringEscapesRoundTrip() {
    String value = "quote\" backslash\\ nl\n tab\t ctl\u0001 uni é 日本 emoji 😀 slash/";
    String encoded = new JsonString(value).toString();
    assertEquals(value, ((JsonString) Json.parse(encoded)).value());
    assertEquals("\"a\\u0001b\"", new JsonString("a\u0001b").toString());
    assertEquals("é/😀", ((JsonString) Json.parse("\"\\u00e9\\/\\ud83d\\ude00\"")).value());
  }

  @Test
  void utf8BytesAreDecodedStrictly() {
    byte[] ok = "{\"k\":\"é\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals("é", Json.parseObject(ok).string("k"));
    JsonParseException e =
        assertThrows(
            JsonParseException.class, () -> Json.parse(new byte[] {'"', (byte) 0xC3, '"'}));
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    assertEquals("{\"k\":\"é\"}", new String(Json.parse(ok).toBytes(), StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"a\":1,}|1|8|expected a string key",
        "{\"a\" 1}|1|6|expected ':' after key \"a\"",
        "[1,2|1|5|end of input",
        "[01]|1|2|invalid number 01",
        "[1.]|1|2|invalid number 1.",
        "\"abc|1|1|unterminated string",
        "{} x|1|4|after the end of the document",
        "\"\\x\"|1|3|invalid escape",
        "''|1|1|empty document",
        "[-]|1|2|invalid number -",
      })
  void errorsNameLineAndColumn(String input, int line, int column, String reason) {
    String text = input.equals("''") ? "" : input;
    JsonParseException e = assertThrows(JsonParseException.class, () -> Json.parse(text));
    assertEquals(line, e.line(), e.getMessage());
    assertEquals(column, e.column(), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
    assertTrue(e.getMessage().startsWith("invalid JSON at line " + line + ", column " + column));
  }

  @Test
  void errorsCountLines() {
    JsonParseException e =
        assertThrows(JsonParseException.class, () -> Json.parse("{\"a\":\n  tru}"));
    assertEquals(2, e.line());
    assertEquals(3, e.column());
    assertTrue(e.getMessage().contains("expected a value"), e.getMessage());
  }

  @Test
  void theDeepestDocumentAllowedWorksOnASmallStack() throws Exception {
    // parse, write and compare recurse once per level: on half the launcher's stack (-Xss1m) they
    // must still fit, interpreted frames and all
    int depth = JsonParser.MAX_DEPTH;
    String text = "[".repeat(depth - 1) + "{\"a\":1}" + "]".repeat(depth - 1);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                Json json = Json.parse(text);
                assertEquals(text, json.toString());
                assertEquals(json, Json.parse(json.toPrettyString()));
                assertThrows(JsonParseException.class, () -> Json.parse("[" + text + "]"));
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            "small-stack",
            512 * 1024);
    t.start();
    t.join();
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }

  @Test
  void deepNestingIsRejectedNotAStackOverflow() {
    String deep = "[".repeat(100_000);
    JsonParseException e = assertThrows(JsonParseException.class, () -> Json.parse(deep));
    assertTrue(e.getMessage().contains("nesting"), e.getMessage());
  }

  @Test
  void nullAbsentAndEmptyStayApart() {
    JsonObject o = Json.parseObject("{\"n\":null,\"e\":[],\"s\":\"\"}");
    assertTrue(o.has("n"));
    assertFalse(o.hasValue("n"));
    assertNull(o.strings("n"));
    assertEquals(List.of(), o.strings("e"));
    assertFalse(o.has("missing"));
    assertNull(o.strings("missing"));
    assertEquals("", o.string("s"));
    assertEquals("{\"n\":null,\"e\":[],\"s\":\"\"}", o.toString());
  }

  @Test
  void typedGettersNameTheMemberOnTypeErrors() {
    JsonObject o = Json.parseObject("{\"a\":1,\"b\":[\"x\",2],\"big\":1.5}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.string("a"));
    assertEquals("field \"a\" must be a string, not number", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> o.strings("b"));
    assertTrue(e.getMessage().contains("\"b\"") && e.getMessage().contains("element 1"));
    e = assertThrows(IllegalArgumentException.class, () -> o.longValue("big"));
    assertTrue(e.getMessage().contains("integer"), e.getMessage());
    assertEquals(1L, o.longValue("a"));
  }

  @Test
  void withKeepsPositionAndAppendsNewMembers() {
    JsonObject o = Json.parseObject("{\"a\":1,\"b\":2}");
    assertEquals("{\"a\":3,\"b\":2}", o.with("a", Json.of(3)).toString());
    assertEquals("{\"a\":1,\"b\":2,\"c\":\"x\"}", o.with("c", "x").toString());
    assertEquals("{\"b\":2}", o.without("a").toString());
    assertEquals("{\"a\":1,\"b\":2}", o.toString(), "original unchanged");
  }

  @Test
  void duplicateKeysLastWins() {
    JsonObject o = Json.parseObject("{\"a\":1,\"b\":2,\"a\":3}");
    assertEquals("{\"a\":3,\"b\":2}", o.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "1.5", "1e10", "1E+2", "-1.25e-7", "123456789012345678901"})
  void validNumbers(String n) {
    assertInstanceOf(JsonNumber.class, Json.parse(n));
    assertEquals(n, Json.parse(n).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"+1", ".5", "1.e3", "0x10", "NaN", "Infinity", "1e"})
  void invalidNumbers(String n) {
    assertThrows(JsonParseException.class, () -> Json.parse(n));
  }

  @Test
  void numberAccessors() {
    assertEquals(42, new JsonNumber("42").intValue());
    assertEquals(100, new JsonNumber("1e2").longValue());
    assertThrows(IllegalArgumentException.class, () -> new JsonNumber("1.5").longValue());
    assertThrows(IllegalArgumentException.class, () -> new JsonNumber("1.2.3"));
  }
}
