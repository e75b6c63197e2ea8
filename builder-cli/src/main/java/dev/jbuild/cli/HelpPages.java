package dev.jbuild.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/**
 * The usage text of {@code jbuild --help} and of {@code jbuild SUBCOMMAND --help}, rendered by
 * picocli once at build time ({@code mvn package} runs {@link #main}, process-classes phase) and
 * printed from the jar at run time. Building the picocli model of every command to print the root
 * help cost about a quarter of a second of reflection and annotation proxies; the text it renders
 * depends only on the annotations (at picocli's default width of 80 columns), so it is the same
 * every time. HelpPagesTest checks every page against a live rendering.
 */
final class HelpPages {
  /** The root command's page. */
  static final String ROOT = "jbuild";

  private HelpPages() {}

  /** Writes every page, plain and with ANSI styles, into {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (String name : names()) {
      for (boolean ansi : new boolean[] {false, true}) {
        Files.writeString(
            dir.resolve(file(name, ansi)), render(name, ansi), StandardCharsets.UTF_8);
      }
    }
    ClientScan.writeTable(dir); // client mode's reading of the commands that name paths
  }

  static java.util.List<String> names() {
    var names = new java.util.ArrayList<String>();
    names.add(ROOT);
    names.addAll(JbuildCommand.SUBCOMMANDS);
    return names;
  }

  /** picocli's rendering of the page {@code name}, as {@code --help} prints it. */
  static String render(String name, boolean ansi) {
    CommandLine root = Main.commandLine();
    CommandLine cli = name.equals(ROOT) ? root : root.getSubcommands().get(name);
    StringWriter out = new StringWriter();
    cli.usage(new PrintWriter(out, true), ansi ? Ansi.ON : Ansi.OFF);
    return out.toString();
  }

  /**
   * Whether picocli would style the help (its {@code Ansi.AUTO} on Linux: NO_COLOR, CLICOLOR_FORCE,
   * CLICOLOR and ConEmuANSI, then whether stdin and stdout are a terminal), decided without
   * picocli's check, which loads the JDK's console providers (jshell's and JLine's among them).
   */
  static boolean ansi(java.util.Map<String, String> env, boolean terminal) {
    if (env.get("NO_COLOR") != null) {
      return false;
    }
    String force = env.get("CLICOLOR_FORCE");
    if (force != null && !force.equals("0")) {
      return true;
    }
    if ("0".equals(env.get("CLICOLOR")) || "OFF".equals(env.get("ConEmuANSI"))) {
      return false;
    }
    return terminal;
  }

  /** Whether file descriptor {@code fd} of this process is a terminal (as isatty would say). */
  static boolean terminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  private static String file(String name, boolean ansi) {
    return name + (ansi ? ".ansi.txt" : ".txt");
  }

  /**
   * Prints the stored page for {@code name} and returns true, or returns false when there is none
   * or picocli would render it differently here (a usage width set with {@code
   * picocli.usage.width}).
   */
  static boolean print(String name) {
    if (System.getProperty("picocli.usage.width") != null
        || System.getProperty("picocli.ansi") != null) {
      return false;
    }
    byte[] page;
    try {
      page =
          OwnResources.read(
              "dev/jbuild/cli/help/"
                  + file(name, ansi(System.getenv(), terminal(0) && terminal(1))));
    } catch (IOException e) {
      return false;
    }
    if (page == null) {
      return false;
    }
    String text = new String(page, StandardCharsets.UTF_8);
    System.out.print(text);
    System.out.flush();
    return true;
  }
}
