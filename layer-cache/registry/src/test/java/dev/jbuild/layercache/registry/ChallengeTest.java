package dev.jbuild.layercache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.registry.auth.Challenge;
import org.junit.jupiter.api.Test;

class ChallengeTest {
  @Test
  void bearerWithQuotedParameters() {
    Challenge c =
        Challenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                    + "scope=\"repository:library/debian:pull\"")
            .orElseThrow();
    assertTrue(c.isBearer());
    assertEquals("https://auth.docker.io/token", c.param("realm").orElseThrow());
    assertEquals("registry.docker.io", c.param("service").orElseThrow());
    assertEquals("repository:library/debian:pull", c.param("scope").orElseThrow());
  }

  @Test
  void basicAndUnquotedValues() {
    Challenge c = Challenge.parse("basic realm=x, charset=UTF-8").orElseThrow();
    assertTrue(c.isBasic());
    assertEquals("x", c.param("realm").orElseThrow());
    assertEquals("UTF-8", c.param("charset").orElseThrow());
    assertTrue(Challenge.parse("  ").isEmpty());
  }

  @Test
  void escapedQuotesAndCommasInsideValues() {
    Challenge c =
        Challenge.parse("Bearer realm=\"a\\\"b\",scope=\"repository:a:pull,push\"").orElseThrow();
    assertEquals("a\"b", c.param("realm").orElseThrow());
    assertEquals("repository:a:pull,push", c.param("scope").orElseThrow());
  }
}
