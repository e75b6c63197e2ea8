package dev.jbuild.grammar.checks;

import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.ignore.Dockerignore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * BuildKit's Dockerfile build checks over a plan. The rules that need only the parse tree and the
 * stage graph run here; CopyIgnoredFile needs the context's {@code .dockerignore} and UndefinedVar
 * the base images' Env, both given by the caller; InvalidBaseImagePlatform needs the pulled image
 * and is the builder's ({@link Rule#INVALID_BASE_IMAGE_PLATFORM}).
 */
public final class Checks {
  private Checks() {}

  /**
   * Every violation, sorted by line (as {@code --call check} prints them), before the {@code #
   * check=skip} filter ({@link CheckOptions#filter}).
   *
   * @param plan the build's plan
   * @param text the Dockerfile's text (NoEmptyContinuation looks at its lines)
   * @param allStages check every stage (as {@code --check} without {@code --target}); otherwise the
   *     per-instruction rules look only at the stages the target needs, as a build does
   * @param bases the base images' Env, for UndefinedVar
   * @param ignore the context's .dockerignore, for CopyIgnoredFile
   */
  public static List<Warning> run(
      BuildPlan plan,
      String text,
      boolean allStages,
      BaseEnv bases,
      Optional<Dockerignore> ignore) {
    List<Warning> out = new ArrayList<>();
    new FileRules(plan, text, out).run();
    List<Stage> stages = allStages ? plan.allStages() : plan.stages();
    new StageRules(plan, bases, ignore, out).run(stages);
    sortByLine(out);
    return skippedByComments(out, new Comments(plan.dockerfile(), text));
  }

  /** Drops the warnings a {@code # check=skip=} comment right above their instruction skips. */
  private static List<Warning> skippedByComments(List<Warning> all, Comments comments) {
    List<Warning> out = new ArrayList<>(all.size());
    for (Warning w : all) {
      CheckOptions local = comments.checkAt(w.range().startLine());
      if (local == null || local.enabled(w.rule())) {
        out.add(w);
      }
    }
    return out;
  }

  /**
   * Stable merge sort by start line, O(n log n) however many warnings a hostile Dockerfile makes
   * (no comparator lambda on the build path).
   */
  public static void sortByLine(List<Warning> list) {
    int n = list.size();
    Warning[] a = list.toArray(new Warning[0]);
    Warning[] b = new Warning[n];
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(lo + width, n);
        int hi = Math.min(lo + 2 * width, n);
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          b[k++] = a[j].range().startLine() < a[i].range().startLine() ? a[j++] : a[i++];
        }
        while (i < mid) {
          b[k++] = a[i++];
        }
        while (j < hi) {
          b[k++] = a[j++];
        }
      }
      Warning[] t = a;
      a = b;
      b = t;
    }
    for (int i = 0; i < n; i++) {
      list.set(i, a[i]);
    }
  }
}
