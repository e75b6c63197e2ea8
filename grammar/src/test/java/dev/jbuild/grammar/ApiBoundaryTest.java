package dev.jbuild.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** No ANTLR type appears in a public signature outside the parse package. */
class ApiBoundaryTest {
  @Test
  void publicSignaturesDoNotMentionAntlr() throws Exception {
    Path classes = classesRoot();
    List<String> offenders = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.walk(classes.resolve("dev/jbuild/grammar"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name =
            classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.startsWith("dev.jbuild.grammar.parse.")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, getClass().getClassLoader());
        if (!Modifier.isPublic(c.getModifiers())) {
          continue;
        }
        checked++;
        List<String> sigs = new ArrayList<>();
        sigs.add(c.toGenericString());
        for (Method m : c.getDeclaredMethods()) {
          if (Modifier.isPublic(m.getModifiers())) {
            sigs.add(m.toGenericString());
          }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
          if (Modifier.isPublic(k.getModifiers())) {
            sigs.add(k.toGenericString());
          }
        }
        for (Field fl : c.getDeclaredFields()) {
          if (Modifier.isPublic(fl.getModifiers())) {
            sigs.add(fl.toGenericString());
          }
        }
        for (String s : sigs) {
          if (s.contains("org.antlr")) {
            offenders.add(s);
          }
        }
      }
    }
    assertTrue(checked > 40, "checked " + checked + " public classes");
    assertEquals(List.of(), offenders);
  }

  private static Path classesRoot() throws URISyntaxException {
    return Path.of(Dockerfiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
