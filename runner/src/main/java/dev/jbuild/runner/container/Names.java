package dev.jbuild.runner.container;

import java.security.SecureRandom;
import java.util.List;
import java.util.regex.Pattern;

/** Container names: validation and Docker-style random names (adjective_scientist). */
final class Names {
  static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final List<String> LEFT =
      List.of(
          "admiring",
          "bold",
          "brave",
          "busy",
          "clever",
          "cool",
          "eager",
          "elastic",
          "festive",
          "focused",
          "gallant",
          "happy",
          "jolly",
          "keen",
          "kind",
          "lucid",
          "modest",
          "nifty",
          "quirky",
          "serene",
          "sharp",
          "stoic",
          "tender",
          "vibrant",
          "wizardly",
          "zen");
  private static final List<String> RIGHT =
      List.of(
          "babbage",
          "bohr",
          "curie",
          "darwin",
          "dijkstra",
          "einstein",
          "euler",
          "fermi",
          "feynman",
          "galileo",
          "gauss",
          "hopper",
          "kepler",
          "knuth",
          "lamarr",
          "lovelace",
          "meitner",
          "newton",
          "noether",
          "pascal",
          "ritchie",
          "shannon",
          "tesla",
          "thompson",
          "turing",
          "wozniak");

  private Names() {}

  static String random() {
    return LEFT.get(RANDOM.nextInt(LEFT.size())) + "_" + RIGHT.get(RANDOM.nextInt(RIGHT.size()));
  }

  static boolean valid(String name) {
    return VALID.matcher(name).matches();
  }
}
