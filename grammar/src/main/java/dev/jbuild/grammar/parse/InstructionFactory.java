package dev.jbuild.grammar.parse;

import static dev.jbuild.grammar.parse.Flags.Kind.BOOL;
import static dev.jbuild.grammar.parse.Flags.Kind.STRING;
import static dev.jbuild.grammar.parse.Flags.Kind.STRINGS;

import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.Messages;
import dev.jbuild.grammar.SourceRange;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.ArgDeclaration;
import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.CmdInstruction;
import dev.jbuild.grammar.instructions.Command;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.EntrypointInstruction;
import dev.jbuild.grammar.instructions.EnvInstruction;
import dev.jbuild.grammar.instructions.ExposeInstruction;
import dev.jbuild.grammar.instructions.FileMode;
import dev.jbuild.grammar.instructions.FromInstruction;
import dev.jbuild.grammar.instructions.GoDuration;
import dev.jbuild.grammar.instructions.HealthcheckInstruction;
import dev.jbuild.grammar.instructions.Heredoc;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.KeyValue;
import dev.jbuild.grammar.instructions.Keyword;
import dev.jbuild.grammar.instructions.LabelInstruction;
import dev.jbuild.grammar.instructions.MaintainerInstruction;
import dev.jbuild.grammar.instructions.OnbuildInstruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.instructions.RunMount;
import dev.jbuild.grammar.instructions.ShellInstruction;
import dev.jbuild.grammar.instructions.StopsignalInstruction;
import dev.jbuild.grammar.instructions.UserInstruction;
import dev.jbuild.grammar.instructions.VolumeInstruction;
import dev.jbuild.grammar.instructions.WorkdirInstruction;
import dev.jbuild.grammar.json.JsonArrays;
import dev.jbuild.grammar.shell.Chars;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a {@link RawLine} (plus the heredocs its line started) into a typed instruction record,
 * applying BuildKit's per-instruction argument rules and messages.
 */
final class InstructionFactory {
  private static final Map<String, Flags.Kind> NO_FLAGS = Map.of();
  private static final Map<String, Flags.Kind> COPY_FLAGS =
      Flags.spec(
          "from", STRING, "chown", STRING, "chmod", STRING, "link", BOOL, "parents", BOOL,
          "exclude", STRINGS);
  private static final Map<String, Flags.Kind> ADD_FLAGS =
      Flags.spec(
          "chown",
          STRING,
          "chmod",
          STRING,
          "link",
          BOOL,
          "keep-git-dir",
          BOOL,
          "checksum",
          STRING,
          "exclude",
          STRINGS,
          "unpack",
          BOOL);
  private static final Map<String, Flags.Kind> RUN_FLAGS =
      Flags.spec("mount", STRINGS, "network", STRING, "security", STRING);
  private static final Map<String, Flags.Kind> FROM_FLAGS = Flags.spec("platform", STRING);
  private static final Map<String, Flags.Kind> HEALTHCHECK_FLAGS =
      Flags.spec(
          "interval",
          STRING,
          "timeout",
          STRING,
          "start-period",
          STRING,
          "start-interval",
          STRING,
          "retries",
          STRING);
  private static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9-_.]*");
  private static final Pattern ONBUILD_PREFIX = Pattern.compile("(?i)^\\s*ONBUILD\\s*");
  static final List<String> KEYWORDS = Arrays.stream(Keyword.values()).map(Enum::name).toList();

  private final Source source;
  private final LogicalLine line;
  private final List<Heredoc> heredocs;

  InstructionFactory(Source source, LogicalLine line, List<Heredoc> heredocs) {
    this.source = source;
    this.line = line;
    this.heredocs = heredocs;
  }

  DockerfileException error(int offset, String message) {
    int l = line.lineOf(offset);
    return source.error(l, line.columnOf(offset), message);
  }

  private SourceRange range(RawLine raw) {
    int endLine = line.endLine;
    int endColumn = Math.max(1, source.lineText(endLine).length());
    return new SourceRange(
        source.file, line.lineOf(raw.offset()), line.columnOf(raw.offset()), endLine, endColumn);
  }

  Instruction build(RawLine raw) {
    if (raw.keyword() == null) {
      throw error(raw.offset(), Messages.unknownInstruction(raw.name(), KEYWORDS));
    }
    String text = Chars.trimSpace(line.text.substring(raw.offset()));
    SourceRange range = range(raw);
    try {
      return switch (raw.keyword()) {
        case ADD -> add(raw, text, range);
        case ARG -> arg(raw, text, range);
        case CMD -> new CmdInstruction(range, text, command(raw, flags(raw, NO_FLAGS), false));
        case COPY -> copy(raw, text, range);
        case ENTRYPOINT ->
            new EntrypointInstruction(range, text, command(raw, flags(raw, NO_FLAGS), true));
        case ENV -> new EnvInstruction(range, text, nameValues(raw, "ENV"));
        case EXPOSE -> expose(raw, text, range);
        case FROM -> from(raw, text, range);
        case HEALTHCHECK -> healthcheck(raw, text, range);
        case LABEL -> new LabelInstruction(range, text, nameValues(raw, "LABEL"));
        case MAINTAINER -> new MaintainerInstruction(range, text, oneString(raw, "MAINTAINER"));
        case ONBUILD -> onbuild(raw, text, range);
        case RUN -> run(raw, text, range);
        case SHELL -> shell(raw, text, range);
        case STOPSIGNAL -> stopsignal(raw, text, range);
        case USER -> new UserInstruction(range, text, oneString(raw, "USER"));
        case VOLUME -> volume(raw, text, range);
        case WORKDIR -> new WorkdirInstruction(range, text, oneString(raw, "WORKDIR"));
      };
    } catch (Flags.FlagException e) {
      throw error(e.offset, e.getMessage());
    } catch (JsonArrays.NotStringArrayException e) {
      throw error(raw.restOffset(), Messages.jsonNotStrings());
    }
  }

  private Flags flags(RawLine raw, Map<String, Flags.Kind> spec) {
    return Flags.parse(spec, raw.flags());
  }

  /** BuildKit parseMaybeJSON + handleJSONArgs. */
  private Command command(RawLine raw, Flags unused, boolean emptyIsExec) {
    Optional<List<String>> json = JsonArrays.parseStringArray(raw.rest());
    if (json.isPresent()) {
      return new Command.ExecForm(json.get());
    }
    if (raw.rest().isEmpty() && emptyIsExec) {
      return new Command.ExecForm(List.of());
    }
    return new Command.ShellForm(raw.rest());
  }

  private record Word(String text, int offset) {}

  /** BuildKit parseStringsWhitespaceDelimited: split on [ \t\v\f\r]+, quotes not special. */
  private static List<Word> splitBlanks(String rest, int restOffset) {
    List<Word> out = new ArrayList<>();
    int i = 0;
    int n = rest.length();
    while (i < n) {
      while (i < n && Chars.isBlank(rest.charAt(i))) {
        i++;
      }
      if (i >= n) {
        break;
      }
      int s = i;
      while (i < n && !Chars.isBlank(rest.charAt(i))) {
        i++;
      }
      out.add(new Word(rest.substring(s, i), restOffset + s));
    }
    return out;
  }

  /** BuildKit parseMaybeJSONToList: a JSON array of strings, else whitespace-separated words. */
  private List<Word> jsonOrWords(RawLine raw) {
    Optional<List<String>> json = JsonArrays.parseStringArray(raw.rest());
    if (json.isPresent()) {
      return json.get().stream().map(s -> new Word(s, raw.restOffset())).toList();
    }
    return splitBlanks(raw.rest(), raw.restOffset());
  }

  private String oneString(RawLine raw, String keyword) {
    flags(raw, NO_FLAGS);
    if (raw.rest().isEmpty()) {
      throw error(raw.offset(), Messages.exactlyOneArgument(keyword));
    }
    return raw.rest();
  }

  private Instruction add(RawLine raw, String text, SourceRange range) {
    Flags f = flags(raw, ADD_FLAGS);
    Files files = files(raw, "ADD");
    Optional<String> chmod = checkedChmod(raw, f);
    Optional<String> checksum = f.string("checksum");
    if (checksum.isPresent() && files.sources.size() + files.heredocs.size() > 1) {
      throw error(f.offset("checksum", raw.offset()), Messages.checksumMultipleSources());
    }
    return new AddInstruction(
        range,
        text,
        files.sources,
        files.heredocs,
        files.destination,
        f.string("chown"),
        chmod,
        f.bool("link"),
        checksum,
        f.bool("keep-git-dir"),
        f.strings("exclude"),
        f.optionalBool("unpack"));
  }

  private Instruction copy(RawLine raw, String text, SourceRange range) {
    Flags f = flags(raw, COPY_FLAGS);
    Files files = files(raw, "COPY");
    Optional<String> chmod = checkedChmod(raw, f);
    return new CopyInstruction(
        range,
        text,
        files.sources,
        files.heredocs,
        files.destination,
        f.string("from"),
        f.string("chown"),
        chmod,
        f.bool("link"),
        f.bool("parents"),
        f.strings("exclude"));
  }

  private Optional<String> checkedChmod(RawLine raw, Flags f) {
    Optional<String> chmod = f.string("chmod");
    if (chmod.isPresent() && chmod.get().indexOf('$') < 0) {
      try {
        FileMode.parse(chmod.get());
      } catch (IllegalArgumentException e) {
        throw error(f.offset("chmod", raw.offset()), e.getMessage());
      }
    }
    return chmod;
  }

  private record Files(List<String> sources, List<Heredoc> heredocs, String destination) {}

  /** BuildKit parseSourcesAndDest. */
  private Files files(RawLine raw, String keyword) {
    List<Word> args = jsonOrWords(raw);
    if (args.isEmpty()) {
      throw error(raw.offset(), Messages.atLeastTwoArguments(keyword));
    }
    if (args.size() < 2) {
      throw error(raw.offset(), Messages.noDestination(keyword));
    }
    Word dest = args.get(args.size() - 1);
    if (heredocWord(dest).isPresent()) {
      throw error(dest.offset(), Messages.heredocAsDestination(keyword));
    }
    Map<String, Heredoc> byName = new HashMap<>();
    for (Heredoc h : heredocs) {
      byName.put(h.name(), h);
    }
    List<String> sources = new ArrayList<>();
    List<Heredoc> inline = new ArrayList<>();
    for (Word w : args.subList(0, args.size() - 1)) {
      Optional<Heredoc> h = heredocWord(w);
      if (h.isPresent()) {
        Heredoc found = byName.get(h.get().name());
        inline.add(h.get().withContent(found == null ? "" : found.content()));
      } else {
        sources.add(w.text());
      }
    }
    return new Files(sources, inline, dest.text());
  }

  private Optional<Heredoc> heredocWord(Word w) {
    try {
      return Heredoc.parseWord(w.text());
    } catch (RuntimeException e) {
      throw error(w.offset(), "bad heredoc " + w.text() + ": " + e.getMessage());
    }
  }

  private Instruction arg(RawLine raw, String text, SourceRange range) {
    flags(raw, NO_FLAGS);
    if (raw.words().isEmpty()) {
      throw error(raw.offset(), Messages.atLeastOneArgument("ARG"));
    }
    List<ArgDeclaration> args = new ArrayList<>();
    for (RawLine.RawWord w : raw.words()) {
      String word = w.text();
      int eq = word.indexOf('=');
      String name = eq < 0 ? word : word.substring(0, eq);
      if (name.isEmpty()) {
        throw error(w.offset(), Messages.blankNames("ARG"));
      }
      args.add(
          new ArgDeclaration(
              name, eq < 0 ? Optional.empty() : Optional.of(word.substring(eq + 1))));
    }
    return new ArgInstruction(range, text, args);
  }

  /** BuildKit parseNameVal (ENV and LABEL): {@code k=v ...} or the legacy {@code k v...}. */
  private List<KeyValue> nameValues(RawLine raw, String keyword) {
    flags(raw, NO_FLAGS);
    List<RawLine.RawWord> words = raw.words();
    if (words.isEmpty()) {
      throw error(raw.offset(), Messages.atLeastOneArgument(keyword));
    }
    if (words.get(0).text().indexOf('=') < 0) {
      String rest = raw.rest();
      int i = 0;
      while (i < rest.length() && !Chars.isBlank(rest.charAt(i))) {
        i++;
      }
      int j = i;
      while (j < rest.length() && Chars.isBlank(rest.charAt(j))) {
        j++;
      }
      if (i == rest.length()) {
        throw error(raw.offset(), Messages.mustHaveTwoArguments(keyword));
      }
      String key = rest.substring(0, i);
      return List.of(new KeyValue(key, rest.substring(j)));
    }
    List<KeyValue> out = new ArrayList<>();
    for (RawLine.RawWord w : words) {
      int eq = w.text().indexOf('=');
      if (eq < 0) {
        throw error(w.offset(), Messages.missingEquals(w.text()));
      }
      if (eq == 0) {
        throw error(w.offset(), Messages.blankNames(keyword));
      }
      out.add(new KeyValue(w.text().substring(0, eq), w.text().substring(eq + 1)));
    }
    return out;
  }

  private Instruction expose(RawLine raw, String text, SourceRange range) {
    flags(raw, NO_FLAGS);
    List<Word> words = splitBlanks(raw.rest(), raw.restOffset());
    if (words.isEmpty()) {
      throw error(raw.offset(), Messages.atLeastOneArgument("EXPOSE"));
    }
    List<String> ports = new ArrayList<>();
    for (Word w : words) {
      if (w.text().indexOf('$') < 0) {
        try {
          ExposeInstruction.parsePortSpec(w.text());
        } catch (IllegalArgumentException e) {
          throw error(w.offset(), e.getMessage());
        }
      }
      ports.add(w.text());
    }
    return new ExposeInstruction(range, text, ports);
  }

  private Instruction from(RawLine raw, String text, SourceRange range) {
    Flags f = flags(raw, FROM_FLAGS);
    List<Word> args = splitBlanks(raw.rest(), raw.restOffset());
    Optional<String> stageName = Optional.empty();
    if (args.size() == 3 && args.get(1).text().equalsIgnoreCase("as")) {
      String name = args.get(2).text().toLowerCase(Locale.ROOT);
      if (!STAGE_NAME.matcher(name).matches()) {
        throw error(args.get(2).offset(), Messages.invalidStageName(args.get(2).text()));
      }
      stageName = Optional.of(name);
    } else if (args.size() != 1) {
      throw error(raw.offset(), Messages.fromArguments());
    }
    return new FromInstruction(range, text, args.get(0).text(), f.string("platform"), stageName);
  }

  private Instruction healthcheck(RawLine raw, String text, SourceRange range) {
    String rest = raw.rest();
    if (rest.isEmpty()) {
      throw error(raw.offset(), Messages.atLeastOneArgument("HEALTHCHECK"));
    }
    int sep = 0;
    while (sep < rest.length() && !Chars.isSpace(rest.charAt(sep))) {
      sep++;
    }
    int next = sep;
    while (next < rest.length() && Chars.isSpace(rest.charAt(next))) {
      next++;
    }
    String type = rest.substring(0, sep).toUpperCase(Locale.ROOT);
    String cmdText = rest.substring(next);
    if (type.equals("NONE")) {
      if (!cmdText.isEmpty()) {
        throw error(raw.restOffset() + next, Messages.healthcheckNoneArguments());
      }
      Duration z = Duration.ZERO;
      return new HealthcheckInstruction(range, text, Optional.empty(), z, z, z, z, 0);
    }
    Flags f = flags(raw, HEALTHCHECK_FLAGS);
    if (!type.equals("CMD")) {
      throw error(raw.restOffset(), Messages.healthcheckUnknownType(rest.substring(0, sep)));
    }
    Command command;
    Optional<List<String>> json = JsonArrays.parseStringArray(cmdText);
    if (json.isPresent()) {
      if (json.get().isEmpty()) {
        throw error(raw.offset(), Messages.healthcheckMissingCommand());
      }
      command = new Command.ExecForm(json.get());
    } else {
      if (cmdText.isEmpty()) {
        throw error(raw.offset(), Messages.healthcheckMissingCommand());
      }
      command = new Command.ShellForm(cmdText);
    }
    int retries = 0;
    Optional<String> r = f.string("retries");
    if (r.isPresent()) {
      long v;
      try {
        v = Long.parseLong(r.get());
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw error(f.offset("retries", raw.offset()), Messages.invalidRetries(r.get()));
      }
      if (v < 0) {
        throw error(f.offset("retries", raw.offset()), Messages.negativeRetries(v));
      }
      retries = (int) v;
    }
    return new HealthcheckInstruction(
        range,
        text,
        Optional.of(command),
        interval(raw, f, "interval"),
        interval(raw, f, "timeout"),
        interval(raw, f, "start-period"),
        interval(raw, f, "start-interval"),
        retries);
  }

  private Duration interval(RawLine raw, Flags f, String name) {
    Optional<String> v = f.string(name);
    if (v.isEmpty() || v.get().isEmpty()) {
      return Duration.ZERO;
    }
    Duration d;
    try {
      d = GoDuration.parse(v.get());
    } catch (IllegalArgumentException e) {
      throw error(f.offset(name, raw.offset()), e.getMessage());
    }
    if (d.isZero()) {
      return d;
    }
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      throw error(f.offset(name, raw.offset()), Messages.intervalTooShort(name));
    }
    return d;
  }

  private Instruction onbuild(RawLine raw, String text, SourceRange range) {
    flags(raw, NO_FLAGS);
    RawLine nested = raw.nested();
    if (nested == null) {
      throw error(raw.offset(), Messages.atLeastOneArgument("ONBUILD"));
    }
    if (nested.keyword() == Keyword.ONBUILD) {
      throw error(nested.offset(), Messages.onbuildChain());
    }
    if (nested.keyword() == Keyword.FROM || nested.keyword() == Keyword.MAINTAINER) {
      throw error(nested.offset(), Messages.onbuildForbidden(nested.keyword().name()));
    }
    Instruction trigger = build(nested);
    StringBuilder expression =
        new StringBuilder(ONBUILD_PREFIX.matcher(line.text).replaceFirst(""));
    for (Heredoc h : heredocs) {
      expression.append('\n').append(h.content()).append(h.name());
    }
    return new OnbuildInstruction(range, text, trigger, expression.toString());
  }

  private Instruction run(RawLine raw, String text, SourceRange range) {
    Flags f = flags(raw, RUN_FLAGS);
    List<RunMount> mounts = new ArrayList<>();
    for (RawLine.RawFlag flag : raw.flags()) {
      String v = flag.value();
      if (v.startsWith("--mount=")) {
        try {
          mounts.add(RunMount.parse(v.substring("--mount=".length()), null));
        } catch (IllegalArgumentException e) {
          throw error(flag.offset(), e.getMessage());
        }
      }
    }
    Optional<String> network = f.string("network");
    if (network.isPresent() && !List.of("default", "none", "host").contains(network.get())) {
      throw error(f.offset("network", raw.offset()), Messages.unsupportedNetwork(network.get()));
    }
    Optional<String> security = f.string("security");
    if (security.isPresent() && !List.of("sandbox", "insecure").contains(security.get())) {
      throw error(f.offset("security", raw.offset()), Messages.unsupportedSecurity(security.get()));
    }
    Command command = command(raw, f, false);
    List<Heredoc> docs = command instanceof Command.ShellForm ? heredocs : List.of();
    return new RunInstruction(range, text, command, docs, mounts, network, security);
  }

  private Instruction shell(RawLine raw, String text, SourceRange range) {
    flags(raw, NO_FLAGS);
    Optional<List<String>> json = JsonArrays.parseStringArray(raw.rest());
    if (json.isEmpty()) {
      if (raw.rest().isEmpty()) {
        throw error(raw.offset(), Messages.atLeastOneArgument("SHELL"));
      }
      throw error(raw.restOffset(), Messages.notJson("SHELL"));
    }
    if (json.get().isEmpty()) {
      throw error(raw.offset(), Messages.atLeastOneArgument("SHELL"));
    }
    return new ShellInstruction(range, text, json.get());
  }

  private Instruction stopsignal(RawLine raw, String text, SourceRange range) {
    String signal = oneString(raw, "STOPSIGNAL");
    if (signal.indexOf('$') < 0 && !StopsignalInstruction.isValidSignal(signal)) {
      throw error(raw.restOffset(), Messages.invalidSignal(signal));
    }
    return new StopsignalInstruction(range, text, signal);
  }

  private Instruction volume(RawLine raw, String text, SourceRange range) {
    flags(raw, NO_FLAGS);
    List<Word> words = jsonOrWords(raw);
    if (words.isEmpty()) {
      throw error(raw.offset(), Messages.atLeastOneArgument("VOLUME"));
    }
    List<String> volumes = new ArrayList<>();
    for (Word w : words) {
      String v = Chars.trimSpace(w.text());
      if (v.isEmpty()) {
        throw error(w.offset(), Messages.emptyVolume());
      }
      volumes.add(v);
    }
    return new VolumeInstruction(range, text, volumes);
  }
}
