package dev.jbuild.cli.template;

/**
 * A template that does not parse or cannot run over its document; the message starts "template: ".
 */
public final class TemplateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TemplateException(String message) {
    super("template: " + message);
  }
}
