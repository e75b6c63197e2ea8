package dev.jbuild.serve;

/**
 * An API error with docker's status code: the server answers {@code {"message": "..."}} with it.
 * The factories name the codes docker uses; the message is the one line the client prints.
 */
public final class ApiException extends Exception {
  private final int status;

  public ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** 400: a malformed request or a parameter docker would refuse. */
  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  /** 404: no such image, container, volume, network or endpoint. */
  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  /** 409: a name in use, a container running where it must not be, an image in use. */
  public static ApiException conflict(String message) {
    return new ApiException(409, message);
  }

  /** 304: nothing to do (start of a started container, stop of a stopped one). */
  public static ApiException notModified() {
    return new ApiException(304, "");
  }

  /** 500: jbuild failed; the message says what, never a stack trace. */
  public static ApiException serverError(String message) {
    return new ApiException(500, message);
  }

  /** 501: a parameter or feature jbuild's daemon does not implement (never silently ignored). */
  public static ApiException notImplemented(String message) {
    return new ApiException(501, message);
  }
}
