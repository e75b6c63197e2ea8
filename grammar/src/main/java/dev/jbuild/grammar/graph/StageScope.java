package dev.jbuild.grammar.graph;

import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.Messages;
import dev.jbuild.grammar.SourceRange;
import dev.jbuild.grammar.instructions.AddInstruction;
import dev.jbuild.grammar.instructions.ArgDeclaration;
import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.EnvInstruction;
import dev.jbuild.grammar.instructions.ExposeInstruction;
import dev.jbuild.grammar.instructions.FileMode;
import dev.jbuild.grammar.instructions.Heredoc;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.KeyValue;
import dev.jbuild.grammar.instructions.LabelInstruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.grammar.instructions.RunMount;
import dev.jbuild.grammar.instructions.StopsignalInstruction;
import dev.jbuild.grammar.instructions.UserInstruction;
import dev.jbuild.grammar.instructions.VolumeInstruction;
import dev.jbuild.grammar.instructions.WorkdirInstruction;
import dev.jbuild.grammar.shell.Env;
import dev.jbuild.grammar.shell.ExpansionException;
import dev.jbuild.grammar.shell.WordExpander;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The ARG and ENV state of a stage while a build walks its instructions, over the base image's
 * environment. Immutable: {@link #apply(Instruction)} returns the scope after an instruction.
 *
 * <ul>
 *   <li>Lookup for expansion and RUN's environment: ENV and ARG (with a value) set one set of
 *       variables over the base image's env, the later instruction winning, as BuildKit does (its
 *       ARG adds to the build state's env): {@code ENV V=e} then {@code ARG V=a} gives RUN {@code
 *       V=a}, the other order {@code V=e}. The image config's Env gets only the ENVs.
 *   <li>{@code ARG NAME[=default]}: the value is the {@code --build-arg}, else the default
 *       (expanded with the scope at that point), else the global value (a global ARG with a value,
 *       or a platform ARG) when the name is only redeclared; else the ARG is declared without a
 *       value (expands to nothing, absent from RUN's environment).
 *   <li>{@code ENV}: all pairs of one instruction are expanded against the scope before it, then
 *       set (so {@code ENV a=1 b=$a} sees the old a).
 * </ul>
 */
public final class StageScope implements Env {
  private final WordExpander lexer;
  private final ScopeChain chain;
  private final int version;
  private final Map<String, String> globalArgs;
  private final Map<String, String> buildArgs;

  private StageScope(
      WordExpander lexer,
      ScopeChain chain,
      int version,
      Map<String, String> globalArgs,
      Map<String, String> buildArgs) {
    this.lexer = lexer;
    this.chain = chain;
    this.version = version;
    this.globalArgs = globalArgs;
    this.buildArgs = buildArgs;
  }

  /**
   * A scope at the start of a stage.
   *
   * @param imageEnv the base image's Env ({@code K=V}; an entry without '=' is a name with an empty
   *     value)
   * @param globalArgs the global scope ({@link BuildPlan#globalArgs()})
   * @param buildArgs the {@code --build-arg} values
   * @param escape the Dockerfile's escape character
   */
  public static StageScope of(
      List<String> imageEnv,
      Map<String, String> globalArgs,
      Map<String, String> buildArgs,
      char escape) {
    return of(imageEnv, globalArgs, buildArgs, escape, new ExpansionBudget());
  }

  /** Same, with the expansion budget of a plan ({@link BuildPlan#scope}). */
  public static StageScope of(
      List<String> imageEnv,
      Map<String, String> globalArgs,
      Map<String, String> buildArgs,
      char escape,
      ExpansionBudget budget) {
    ScopeChain chain = new ScopeChain(budget);
    for (String kv : imageEnv) {
      int eq = kv.indexOf('=');
      String name = eq < 0 ? kv : kv.substring(0, eq);
      String value = eq < 0 ? "" : kv.substring(eq + 1);
      chain.put(chain.env, 0, name, value);
      chain.put(chain.vars, 0, name, value);
    }
    return new StageScope(
        WordExpander.of(escape),
        chain,
        0,
        Map.copyOf(globalArgs),
        Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs)));
  }

  /** The value {@code $name} expands to, or null when unset. */
  public String lookup(String name) {
    return chain.get(chain.vars, name, version);
  }

  /** Same as {@link #lookup(String)}: the scope is the expansion environment. */
  @Override
  public String get(String name) {
    return lookup(name);
  }

  /** This scope as an expansion environment. */
  public Env asEnv() {
    return this;
  }

  /** Expands one word as the Dockerfile's expansion does (quotes removed, one word). */
  public String expandWord(String word) {
    return lexer.expand(word, this);
  }

  /** The image config's Env after the stage's ENVs so far, in order ({@code K=V}). */
  public List<String> env() {
    return pairs(chain.snapshot(chain.env, version));
  }

  private static List<String> pairs(Map<String, String> map) {
    List<String> out = new ArrayList<>(map.size());
    for (Map.Entry<String, String> e : map.entrySet()) {
      out.add(e.getKey() + "=" + e.getValue());
    }
    return List.copyOf(out);
  }

  /**
   * The ARGs declared in this stage so far, in declaration order, with their values (null for an
   * ARG without a value). Part of a RUN's cache key; the undeclared proxy build-args are not.
   */
  public Map<String, String> args() {
    return Collections.unmodifiableMap(chain.snapshot(chain.args, version));
  }

  /**
   * The environment a RUN sees: the base image's env with the stage's ENVs and ARGs (with a value)
   * over it, the later one winning, and the proxy {@code --build-arg}s not declared as ARGs.
   */
  public List<String> runEnv() {
    LinkedHashMap<String, String> out = chain.snapshot(chain.vars, version);
    out.putAll(proxyEnv());
    return pairs(out);
  }

  /**
   * The proxy build-args a RUN gets without them being declared (left out of cache keys and
   * history, as in Docker).
   */
  public Map<String, String> proxyEnv() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String p : PredefinedArgs.PROXY) {
      String v = buildArgs.get(p);
      if (v != null
          && !chain.contains(chain.args, p, version)
          && !chain.contains(chain.env, p, version)) {
        out.put(p, v);
      }
    }
    return out;
  }

  /**
   * The history {@code created_by} Docker writes for a RUN with {@code argv}: {@code "RUN |2 A=1
   * B=2 /bin/sh -c make"} (the {@code |N} prefix lists the stage's ARGs) or {@code "RUN /bin/sh -c
   * make"}. BuildKit appends " # buildkit".
   */
  public String runCreatedBy(List<String> argv) {
    List<String> parts = new ArrayList<>();
    for (String k : chain.snapshot(chain.args, version).keySet()) {
      String value = lookup(k);
      parts.add(k + "=" + (value == null ? "" : value));
    }
    StringBuilder sb = new StringBuilder("RUN ");
    if (!parts.isEmpty()) {
      sb.append('|').append(parts.size()).append(' ').append(String.join(" ", parts)).append(' ');
    }
    return sb.append(String.join(" ", argv)).toString();
  }

  /** The next version to write, on this chain when this scope is its newest, else on a copy. */
  private StageScope successor() {
    int next = chain.next(version);
    if (next >= 0) {
      return new StageScope(lexer, chain, next, globalArgs, buildArgs);
    }
    ScopeChain copy = ScopeChain.copyOf(chain, version);
    return new StageScope(lexer, copy, copy.next(0), globalArgs, buildArgs);
  }

  /**
   * The scope after {@code instruction} (unexpanded, as parsed): ARG declares, ENV sets; other
   * instructions leave the scope as it is. Each ARG or ENV adds one version to the scope's chain
   * (no copy of the variables), so a stage of n ARGs costs O(n log n), not O(n^2).
   *
   * @throws DockerfileException for a bad expansion
   */
  public StageScope apply(Instruction instruction) {
    // instanceof rather than a pattern switch: no invokedynamic bootstrap on the no-op rebuild path
    if (instruction instanceof ArgInstruction arg) {
      StageScope current = this;
      for (ArgDeclaration d : arg.args()) {
        String value = buildArgs.get(d.name());
        if (value == null && d.defaultValue().isPresent()) {
          value = current.expand(arg, d.defaultValue().get());
        }
        if (value == null && d.defaultValue().isEmpty()) {
          value = globalArgs.get(d.name());
        }
        current = current.successor();
        ScopeChain c = current.chain;
        c.put(c.args, current.version, d.name(), value);
        if (value != null) {
          c.put(c.vars, current.version, d.name(), value);
        }
      }
      return current;
    }
    if (instruction instanceof EnvInstruction e) {
      EnvInstruction expanded = (EnvInstruction) expand(e);
      StageScope next = successor();
      ScopeChain c = next.chain;
      for (KeyValue kv : expanded.variables()) {
        c.put(c.env, next.version, kv.key(), kv.value());
        c.put(c.vars, next.version, kv.key(), kv.value());
      }
      return next;
    }
    return this;
  }

  /**
   * {@code instruction} with its arguments expanded, for the instructions that expand: ADD, COPY
   * (sources, destination, --chown, --chmod, --exclude, --checksum; heredoc bodies when the
   * delimiter was unquoted, with quotes kept), ENV, LABEL (keys and values), EXPOSE (split into
   * words, validated), STOPSIGNAL (validated), USER, VOLUME, WORKDIR, ARG (defaults), and RUN's
   * --mount options. Other instructions (FROM, which the build graph expands; RUN's command;
   * ONBUILD's trigger) come back unchanged.
   *
   * @throws DockerfileException for a bad expansion or an invalid expanded value
   */
  public Instruction expand(Instruction instruction) {
    if (instruction instanceof EnvInstruction e) {
      return new EnvInstruction(e.range(), e.text(), expandPairs(e, e.variables()));
    }
    if (instruction instanceof LabelInstruction l) {
      return new LabelInstruction(l.range(), l.text(), expandPairs(l, l.labels()));
    }
    if (instruction instanceof CopyInstruction c) {
      return new CopyInstruction(
          c.range(),
          c.text(),
          expandAll(c, c.sources()),
          heredocs(c, c.heredocs()),
          expand(c, c.destination()),
          c.from(),
          expandOptional(c, c.chown()),
          chmod(c, c.chmod()),
          c.link(),
          c.parents(),
          expandAll(c, c.excludes()));
    }
    if (instruction instanceof AddInstruction a) {
      return new AddInstruction(
          a.range(),
          a.text(),
          expandAll(a, a.sources()),
          heredocs(a, a.heredocs()),
          expand(a, a.destination()),
          expandOptional(a, a.chown()),
          chmod(a, a.chmod()),
          a.link(),
          expandOptional(a, a.checksum()),
          a.keepGitDir(),
          expandAll(a, a.excludes()),
          a.unpack());
    }
    if (instruction instanceof ExposeInstruction x) {
      List<String> ports = new ArrayList<>();
      for (String p : x.ports()) {
        try {
          for (String w : lexer.expandWords(p, this)) {
            ports.add(charged(x, p, w));
          }
        } catch (ExpansionException ex) {
          throw error(x, ex.getMessage());
        }
      }
      for (String p : ports) {
        try {
          ExposeInstruction.parsePortSpec(p);
        } catch (IllegalArgumentException ex) {
          throw error(x, ex.getMessage());
        }
      }
      return new ExposeInstruction(x.range(), x.text(), ports);
    }
    if (instruction instanceof StopsignalInstruction s) {
      String signal = expand(s, s.signal());
      if (!StopsignalInstruction.isValidSignal(signal)) {
        throw error(s, Messages.invalidSignal(signal));
      }
      return new StopsignalInstruction(s.range(), s.text(), signal);
    }
    if (instruction instanceof UserInstruction u) {
      return new UserInstruction(u.range(), u.text(), expand(u, u.user()));
    }
    if (instruction instanceof WorkdirInstruction w) {
      return new WorkdirInstruction(w.range(), w.text(), expand(w, w.path()));
    }
    if (instruction instanceof VolumeInstruction v) {
      return new VolumeInstruction(v.range(), v.text(), expandAll(v, v.volumes()));
    }
    if (instruction instanceof ArgInstruction a) {
      List<ArgDeclaration> out = new ArrayList<>();
      for (ArgDeclaration d : a.args()) {
        out.add(new ArgDeclaration(d.name(), expandOptional(a, d.defaultValue())));
      }
      return new ArgInstruction(a.range(), a.text(), out);
    }
    if (instruction instanceof RunInstruction r && !r.mounts().isEmpty()) {
      List<RunMount> mounts = new ArrayList<>();
      UnaryOperator<String> expander =
          new UnaryOperator<>() {
            @Override
            public String apply(String v) {
              return expand(r, v);
            }
          };
      for (RunMount m : r.mounts()) {
        try {
          mounts.add(RunMount.parse(m.spec(), expander));
        } catch (IllegalArgumentException ex) {
          throw error(r, ex.getMessage());
        }
      }
      return new RunInstruction(
          r.range(), r.text(), r.command(), r.heredocs(), mounts, r.network(), r.security());
    }
    return instruction;
  }

  private Optional<String> expandOptional(Instruction where, Optional<String> word) {
    return word.isPresent() ? Optional.of(expand(where, word.get())) : word;
  }

  private List<KeyValue> expandPairs(Instruction where, List<KeyValue> pairs) {
    List<KeyValue> out = new ArrayList<>(pairs.size());
    for (KeyValue kv : pairs) {
      out.add(new KeyValue(expand(where, kv.key()), expand(where, kv.value())));
    }
    return out;
  }

  private List<String> expandAll(Instruction where, List<String> words) {
    List<String> out = new ArrayList<>(words.size());
    for (String w : words) {
      out.add(expand(where, w));
    }
    return out;
  }

  private Optional<String> chmod(Instruction where, Optional<String> chmod) {
    if (chmod.isEmpty()) {
      return chmod;
    }
    String v = expand(where, chmod.get());
    try {
      FileMode.parse(v);
    } catch (IllegalArgumentException e) {
      throw error(where, e.getMessage());
    }
    return Optional.of(v);
  }

  /** COPY/ADD heredoc bodies: expanded (quotes kept, backslash escapes) unless quoted. */
  private List<Heredoc> heredocs(Instruction where, List<Heredoc> docs) {
    List<Heredoc> out = new ArrayList<>(docs.size());
    for (Heredoc h : docs) {
      if (!h.expand()) {
        out.add(h);
        continue;
      }
      String body;
      try {
        body = WordExpander.of('\\').withSkipProcessQuotes().expand(h.body(), this);
      } catch (ExpansionException e) {
        throw error(where, e.getMessage());
      }
      charged(where, h.body(), body);
      out.add(new Heredoc(h.name(), body, true, false, h.fd()));
    }
    return out;
  }

  private String expand(Instruction where, String word) {
    String out;
    try {
      out = lexer.expand(word, this);
    } catch (ExpansionException e) {
      throw error(where, e.getMessage());
    }
    return charged(where, word, out);
  }

  /** Counts an expansion's output against the plan's budget (nothing when nothing changed). */
  private String charged(Instruction where, String word, String out) {
    if (out != word) {
      String problem = chain.budget.charge(out.length());
      if (problem != null) {
        throw error(where, problem);
      }
    }
    return out;
  }

  private static DockerfileException error(Instruction where, String message) {
    SourceRange r = where.range();
    return DockerfileException.at(r, message, " ".repeat(r.startColumn() - 1) + where.text());
  }
}
