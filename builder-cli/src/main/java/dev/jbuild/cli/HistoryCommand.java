package dev.jbuild.cli;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.store.Store;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild history}: IMAGE CREATED CREATED BY SIZE COMMENT, newest first. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = "Show an image's history (newest step first).")
public final class HistoryCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--no-trunc", description = "Do not truncate output.")
  boolean noTrunc;

  @Option(
      names = {"-q", "--quiet"},
      description = "Only show image IDs.")
  boolean quiet;

  @Option(
      names = {"-H", "--human"},
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Human-readable sizes and dates (default: true).")
  boolean human = true;

  @Parameters(index = "0", paramLabel = "IMAGE")
  String image;

  record Step(String id, String created, String createdBy, String size, String comment) {}

  @Override
  public Integer call() throws Exception {
    List<Step> steps = new ArrayList<>();
    try (Store store = Store.open(root.storeRoot())) {
      var img = new ImageFinder(store).find(image).imageFor(null, image);
      List<History> history = img.config().historyOrEmpty();
      List<Descriptor> layers = img.manifest().layers();
      Instant now = Instant.now();
      int layer = 0;
      List<Step> forward = new ArrayList<>();
      for (History h : history) {
        long size = 0;
        if (!h.isEmptyLayer() && layer < layers.size()) {
          size = LayerContentSize.of(store, layers.get(layer++));
        }
        forward.add(
            new Step(
                "<missing>",
                human ? Formats.ago(h.createdInstant(), now) : String.valueOf(h.created()),
                h.createdBy() == null ? "" : h.createdBy(),
                human ? Formats.size(size) : Long.toString(size),
                h.comment() == null ? "" : h.comment()));
      }
      while (layer < layers.size()) { // layers without history entries
        long size = LayerContentSize.of(store, layers.get(layer++));
        forward.add(
            new Step("<missing>", "N/A", "", human ? Formats.size(size) : Long.toString(size), ""));
      }
      for (int i = forward.size() - 1; i >= 0; i--) {
        steps.add(forward.get(i));
      }
      if (!steps.isEmpty()) {
        String id = noTrunc ? img.id().toString() : img.id().shortHex();
        Step top = steps.get(0);
        steps.set(0, new Step(id, top.created(), top.createdBy(), top.size(), top.comment()));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (quiet) {
      steps.forEach(s -> out.println(s.id()));
    } else {
      Formats.Table t = new Formats.Table("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
      for (Step s : steps) {
        String by = s.createdBy().replace('\n', ' ').replace('\t', ' ');
        t.row(
            s.id(),
            s.created(),
            noTrunc ? by : Formats.truncate(by, 45),
            s.size(),
            noTrunc ? s.comment() : Formats.truncate(s.comment(), 45));
      }
      t.print(out);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
