package dev.jbuild.cli;

import dev.jbuild.cli.template.GoTemplate;
import dev.jbuild.cli.template.TemplateException;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Timestamps;
import dev.jbuild.layercache.store.Store;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild images}: REPOSITORY TAG IMAGE ID CREATED SIZE, like {@code docker images}. */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description = "List images in the store.")
public final class ImagesCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "REPOSITORY[:TAG]",
      description = "Only images of this repository (and tag).")
  String repository;

  @Option(
      names = {"-q", "--quiet"},
      description = "Only show image IDs.")
  boolean quiet;

  @Option(names = "--digests", description = "Show manifest digests.")
  boolean digests;

  @Option(names = "--no-trunc", description = "Do not truncate IDs.")
  boolean noTrunc;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "FILTER",
      description = "dangling=true|false, reference=PATTERN (glob, e.g. 'app:*').")
  List<String> filters = new ArrayList<>();

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "table (default), json (one object per line), or a Go template per image as docker"
              + " images takes: '{{.Repository}}:{{.Tag}}' (fields Repository, Tag, ID, Digest,"
              + " CreatedAt, CreatedSince, Size, Platforms). A multi-platform image (an index) is"
              + " one line: its digest as IMAGE ID, its images' total size, and a PLATFORMS"
              + " column.")
  String format = "table";

  record Row(
      String repo,
      String tag,
      String digest,
      String id,
      Instant created,
      long size,
      List<String> platforms,
      boolean index) {}

  @Override
  public Integer call() throws Exception {
    Boolean dangling = null;
    List<PathMatcher> references = new ArrayList<>();
    for (String f : filters) {
      int eq = f.indexOf('=');
      String key = eq < 0 ? f : f.substring(0, eq);
      String value = eq < 0 ? "" : f.substring(eq + 1);
      switch (key) {
        case "dangling" -> {
          if (!value.equals("true") && !value.equals("false")) {
            throw new UserException(
                ExitCodes.USAGE, "invalid filter dangling=" + value + ": use true or false");
          }
          dangling = Boolean.valueOf(value);
        }
        case "reference" -> references.add(glob(value));
        default ->
            throw new UserException(
                ExitCodes.USAGE,
                "unsupported filter \"" + f + "\" (supported: dangling=, reference=)");
      }
    }
    GoTemplate template = null;
    if (!format.equals("table") && !format.equals("json")) {
      if (!format.contains("{{")) {
        throw new UserException(
            ExitCodes.USAGE, "unsupported format \"" + format + "\": table, json or a Go template");
      }
      try {
        template = GoTemplate.parse(format.startsWith("table ") ? format.substring(6) : format);
      } catch (TemplateException e) {
        throw new UserException(ExitCodes.USAGE, e.getMessage());
      }
    }
    if (repository != null) {
      String pattern = repository.contains(":") ? repository : repository + ":*";
      references.add(glob(pattern));
    }
    List<Row> rows = new ArrayList<>();
    try (Store store = Store.open(root.storeRoot())) {
      for (ImageFinder.Found f : new ImageFinder(store).all()) {
        List<String> names =
            f.tags().isEmpty() ? java.util.Collections.singletonList(null) : f.tags();
        for (String name : names) {
          String[] rt = ImageFinder.repoAndTag(name);
          if (dangling != null && dangling != (name == null)) {
            continue;
          }
          if (!references.isEmpty()) {
            if (name == null) {
              continue;
            }
            String familiar = rt[0] + ":" + rt[1];
            if (references.stream().noneMatch(m -> m.matches(Path.of(familiar)))) {
              continue;
            }
          }
          rows.add(
              new Row(
                  rt[0],
                  rt[1],
                  f.entry().digest().toString(),
                  f.id().toString(),
                  created(f),
                  f.size(),
                  f.platformNames(),
                  f.isIndex()));
        }
      }
    }
    rows.sort(
        Comparator.comparing(
                (Row r) -> r.created() == null ? Instant.MIN : r.created(),
                Comparator.reverseOrder())
            .thenComparing(Row::repo)
            .thenComparing(Row::tag));
    PrintWriter out = spec.commandLine().getOut();
    Instant now = Instant.now();
    if (quiet) {
      Set<String> ids = new LinkedHashSet<>();
      rows.forEach(r -> ids.add(noTrunc ? r.id() : r.id().substring(7, 19)));
      ids.forEach(out::println);
    } else if (template != null || format.equals("json")) {
      for (Row r : rows) {
        JsonObject row =
            JsonObject.builder()
                .put("Repository", r.repo())
                .put("Tag", r.tag())
                .put("Digest", r.digest())
                .put("ID", noTrunc ? r.id() : r.id().substring(7, 19))
                .put("CreatedAt", r.created() == null ? "" : r.created().toString())
                .put("CreatedSince", Formats.ago(r.created(), now))
                .put("Size", Formats.size(r.size()))
                .put("VirtualSize", Formats.size(r.size()))
                .put("Platforms", String.join(",", r.platforms()))
                .build();
        out.println(template != null ? render(template, row) : row.toString());
      }
    } else {
      // a PLATFORMS column when a multi-platform image (an index) is listed
      boolean platforms = rows.stream().anyMatch(Row::index);
      List<String> header = new ArrayList<>(List.of("REPOSITORY", "TAG"));
      if (digests) {
        header.add("DIGEST");
      }
      header.addAll(List.of("IMAGE ID", "CREATED", "SIZE"));
      if (platforms) {
        header.add("PLATFORMS");
      }
      Formats.Table t = new Formats.Table(header.toArray(String[]::new));
      for (Row r : rows) {
        List<String> cells = new ArrayList<>(List.of(r.repo(), r.tag()));
        if (digests) {
          cells.add(r.digest());
        }
        cells.add(noTrunc ? r.id() : r.id().substring(7, 19));
        cells.add(Formats.ago(r.created(), now));
        cells.add(Formats.size(r.size()));
        if (platforms) {
          cells.add(String.join(",", r.platforms()));
        }
        t.row(cells.toArray(String[]::new));
      }
      t.print(out);
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** An image's creation time; an index's is its newest image's (none for an empty list). */
  private static Instant created(ImageFinder.Found f) {
    if (!f.isIndex()) {
      return Timestamps.parseOrNull(f.image().config().created());
    }
    Instant newest = null;
    for (var i : f.platforms()) {
      Instant c = Timestamps.parseOrNull(i.config().created());
      if (c != null && (newest == null || c.isAfter(newest))) {
        newest = c;
      }
    }
    return newest;
  }

  private static PathMatcher glob(String pattern) {
    try {
      return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, "invalid reference pattern \"" + pattern + "\"");
    }
  }

  private static String render(GoTemplate template, dev.jbuild.layercache.json.JsonObject row) {
    try {
      return template.execute(row);
    } catch (TemplateException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
  }
}
