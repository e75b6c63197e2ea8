package dev.jbuild.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * The client's reading of a command line without picocli: the options of the commands that name
 * client paths (which take a value, which field they fill) are written by picocli at build time
 * ({@link #main}, with the help pages), and the client fills a fresh command object from them, as
 * picocli would, for {@link ClientArgs}. Building picocli's model of {@code build} at every client
 * start was most of the client's time. Anything this reading does not know (an unknown option, a
 * boolean with a value) falls back to picocli; and the daemon, which parses with picocli, refuses
 * the call when its items differ from the client's.
 */
final class ClientScan {
  private ClientScan() {}

  /** The commands read this way (those {@link ClientArgs} reads fields of). */
  static final List<String> COMMANDS = List.of("build", "save", "load", "run", "create", "exec");

  private static final String TABLE = "help/client-options.txt";

  /** An option: its field, and 'b' boolean, 'v' one value, 'o' an optional value. */
  private record Opt(String field, char kind) {}

  /** Writes the table of {@link #COMMANDS} into {@code dir} (build time). */
  static void writeTable(Path dir) throws IOException {
    StringBuilder out = new StringBuilder();
    CommandLine root = Main.commandLine();
    for (String name : COMMANDS) {
      CommandLine.Model.CommandSpec spec = root.getSubcommands().get(name).getCommandSpec();
      for (CommandLine.Model.OptionSpec o : spec.options()) {
        if (!(o.userObject() instanceof Field f)) {
          continue;
        }
        char kind =
            o.parameterConsumer() != null
                ? 'o'
                : o.arity().max() == 0 ? 'b' : o.arity().min() == 0 ? 'o' : 'v';
        out.append(name)
            .append('\t')
            .append(String.join(",", o.names()))
            .append('\t')
            .append(f.getName())
            .append('\t')
            .append(kind)
            .append('\n');
      }
      for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
        if (p.userObject() instanceof Field f && p.index().min() == 0) {
          out.append(name).append("\t@0\t").append(f.getName()).append("\tv\n");
        }
      }
    }
    Files.writeString(dir.resolve("client-options.txt"), out, StandardCharsets.UTF_8);
  }

  /**
   * The command object of {@code full} (implicit build already inserted) filled as picocli would
   * fill the fields client mode reads, or null when this reading cannot be sure (picocli then).
   */
  static Object scan(String sub, String[] full) {
    if (!COMMANDS.contains(sub)) {
      return null;
    }
    Map<String, Opt> options = new HashMap<>();
    String positional = null;
    try (InputStream in = ClientScan.class.getResourceAsStream(TABLE)) {
      if (in == null) {
        return null;
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.split("\t");
        if (f.length != 4 || !f[0].equals(sub)) {
          continue;
        }
        if (f[1].equals("@0")) {
          positional = f[2];
        } else {
          for (String n : f[1].split(",")) {
            options.put(n, new Opt(f[2], f[3].charAt(0)));
          }
        }
      }
    } catch (IOException e) {
      return null;
    }
    Object command = JbuildCommand.newSubcommand(sub);
    boolean stopAtPositional = Set.of("run", "create", "exec").contains(sub);
    int i = Main.afterGlobalOptions(full) + 1;
    boolean onlyPositionals = false;
    int positionals = 0;
    try {
      while (i < full.length) {
        String a = full[i++];
        if (onlyPositionals || !a.startsWith("-") || a.equals("-")) {
          if (positionals++ == 0 && positional != null) {
            set(command, positional, a);
          }
          if (stopAtPositional) {
            return command;
          }
          continue;
        }
        if (a.equals("--")) {
          onlyPositionals = true;
          continue;
        }
        if (a.startsWith("--")) {
          int eq = a.indexOf('=');
          Opt o = options.get(eq < 0 ? a : a.substring(0, eq));
          if (o == null || (o.kind() == 'b' && eq >= 0)) {
            return null;
          }
          if (o.kind() == 'b') {
            set(command, o.field(), null);
          } else if (eq >= 0) {
            set(command, o.field(), a.substring(eq + 1));
          } else if (o.kind() == 'v') {
            if (i >= full.length) {
              return null;
            }
            set(command, o.field(), full[i++]);
          } else {
            if (i < full.length && optionalValue(full[i])) {
              set(command, o.field(), full[i++]);
            } else {
              set(command, o.field(), "true");
            }
          }
          continue;
        }
        // a cluster of short options: -qt NAME, -fDockerfile
        for (int c = 1; c < a.length(); c++) {
          Opt o = options.get("-" + a.charAt(c));
          if (o == null || o.kind() == 'o') {
            return null;
          }
          if (o.kind() == 'b') {
            set(command, o.field(), null);
            continue;
          }
          String rest = a.substring(c + 1);
          if (rest.startsWith("=")) {
            rest = rest.substring(1);
          }
          if (!rest.isEmpty()) {
            set(command, o.field(), rest);
          } else if (i < full.length) {
            set(command, o.field(), full[i++]);
          } else {
            return null;
          }
          break;
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
    return command;
  }

  private static boolean optionalValue(String next) {
    return Set.of("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")
            .contains(next)
        || (next.contains("=") && !next.startsWith("-"));
  }

  /** Sets field {@code name} as picocli would: a flag to true, a list appended, a path parsed. */
  @SuppressWarnings("unchecked")
  private static void set(Object command, String name, String value)
      throws ReflectiveOperationException {
    Field f = field(command.getClass(), name);
    Class<?> t = f.getType();
    if (t == boolean.class) {
      f.setBoolean(command, true);
    } else if (t == String.class) {
      f.set(command, value);
    } else if (t == Path.class) {
      f.set(command, Path.of(value));
    } else if (List.class.isAssignableFrom(t)) {
      List<Object> list = (List<Object>) f.get(command);
      if (list == null) {
        list = new ArrayList<>();
        f.set(command, list);
      }
      boolean paths =
          f.getGenericType() instanceof ParameterizedType p
              && p.getActualTypeArguments()[0] == Path.class;
      list.add(paths ? Path.of(value) : value);
    }
    // other types (numbers, enums) are not read by ClientArgs
  }

  private static Field field(Class<?> c, String name) throws NoSuchFieldException {
    for (Class<?> k = c; k != null; k = k.getSuperclass()) {
      try {
        Field f = k.getDeclaredField(name);
        f.setAccessible(true);
        return f;
      } catch (NoSuchFieldException e) {
        // the superclass (create is run's)
      }
    }
    throw new NoSuchFieldException(name);
  }
}
