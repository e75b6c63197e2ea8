package dev.jbuild.grammar.graph;

import dev.jbuild.grammar.Messages;

/**
 * How many characters the variable expansions of one build plan may produce in total, so that a
 * Dockerfile of a few kilobytes cannot expand into gigabytes (each word is also limited, by {@code
 * WordExpander.MAX_LENGTH}). Shared by the plan and every scope made from it; thread-safe.
 */
public final class ExpansionBudget {
  /** The default limit: 16 MiB characters over the whole plan. */
  public static final long MAX_TOTAL = 16L << 20;

  private final long limit;
  private long used;

  public ExpansionBudget() {
    this(MAX_TOTAL);
  }

  public ExpansionBudget(long limit) {
    this.limit = limit;
  }

  /**
   * Counts {@code n} more characters of expansion output.
   *
   * @return null, or the error message when the budget is exhausted
   */
  synchronized String charge(long n) {
    used += n;
    return used > limit ? Messages.expansionBudget(limit) : null;
  }
}
