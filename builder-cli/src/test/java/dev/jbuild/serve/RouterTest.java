package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
  private final Handler list = call -> {};
  private final Handler inspect = call -> {};
  private final Handler container = call -> {};

  private Router router() {
    return new Router()
        .add("GET", "/images/json", list)
        .add("GET", "/images/{name:.*}/json", inspect)
        .add("GET", "/containers/{id}/json", container);
  }

  @Test
  void anImageNameMayHoldSlashesAndAPort() {
    Router.Match m = router().find("GET", "/images/127.0.0.1:5000/team/app:1/json");
    assertSame(inspect, m.handler());
    assertEquals(Map.of("name", "127.0.0.1:5000/team/app:1"), m.params());
  }

  @Test
  void routesAreTriedInOrder() {
    assertSame(list, router().find("GET", "/images/json").handler());
  }

  @Test
  void aSegmentParameterDoesNotCrossSlashes() {
    assertNull(router().find("GET", "/containers/a/b/json"));
    assertEquals("abc", router().find("GET", "/containers/abc/json").params().get("id"));
  }

  @Test
  void headIsAnsweredByGetAndOtherMethodsAreNotFoundButKnown() {
    assertSame(container, router().find("HEAD", "/containers/x/json").handler());
    assertNull(router().find("POST", "/containers/x/json"));
    assertTrue(router().hasPath("/containers/x/json"));
  }

  @Test
  void framesCarryTheStreamTypeAndTheBigEndianLength() throws Exception {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    OutputStream err = StdStreams.framed(raw, StdStreams.STDERR);
    err.write(new byte[300], 0, 300);
    byte[] b = raw.toByteArray();
    assertEquals(308, b.length);
    assertEquals(2, b[0]);
    assertEquals(1, b[6]);
    assertEquals(44, b[7]);
  }
}
