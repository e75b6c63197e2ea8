package dev.jbuild.builder.progress;

/**
 * One line of the build as the progress display shows it.
 *
 * @param id a number unique within the build, in the order steps were announced
 * @param label where the step sits, e.g. {@code [build 2/5]}
 * @param text the instruction as written, e.g. {@code RUN make all}
 */
public record Step(int id, String label, String text) {
  public String title() {
    return label.isEmpty() ? text : label + " " + text;
  }
}
