package dev.jbuild.runner.container;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Forwards SIGINT and SIGTERM that jbuild receives to a container while it runs in the foreground,
 * instead of letting them end the JVM. Uses {@code sun.misc.Signal} (module jdk.unsupported)
 * through reflection: it is the only way Java can handle a signal, and javac warns about it when
 * used directly. Where it is unavailable, signals keep their default effect (the shutdown hook then
 * removes the container).
 */
final class SignalForwarder implements AutoCloseable {
  /** The signals forwarded, with their Linux numbers. */
  static final List<String> NAMES = List.of("INT", "TERM", "HUP");

  private static final int[] NUMBERS = {2, 15, 1};

  private final List<Object[]> previous = new ArrayList<>();

  private SignalForwarder() {}

  /** Installs handlers calling {@code forward} with the signal number. */
  static SignalForwarder install(IntConsumer forward) {
    SignalForwarder f = new SignalForwarder();
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Method handle = signal.getMethod("handle", signal, handler);
      for (int i = 0; i < NAMES.size(); i++) {
        int number = NUMBERS[i];
        Object sig = signal.getConstructor(String.class).newInstance(NAMES.get(i));
        InvocationHandler ih =
            (proxy, method, args) -> {
              if (method.getName().equals("handle")) {
                forward.accept(number);
                return null;
              }
              return switch (method.getName()) {
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "SignalForwarder(" + number + ")";
              };
            };
        Object h =
            Proxy.newProxyInstance(
                SignalForwarder.class.getClassLoader(), new Class<?>[] {handler}, ih);
        try {
          Object old = handle.invoke(null, sig, h);
          f.previous.add(new Object[] {handle, sig, old});
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
          // a signal the JVM reserves: leave it alone
        }
      }
    } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
      // no sun.misc.Signal: default behaviour
    }
    return f;
  }

  /** Restores the previous handlers. */
  @Override
  public void close() {
    for (Object[] p : previous.reversed()) {
      try {
        ((Method) p[0]).invoke(null, p[1], p[2]);
      } catch (ReflectiveOperationException e) {
        // best effort
      }
    }
    previous.clear();
  }
}
