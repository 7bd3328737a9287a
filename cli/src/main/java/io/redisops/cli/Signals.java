package io.redisops.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Our own SIGTERM and SIGINT handlers, through {@code sun.misc.Signal} (module jdk.unsupported).
 * Called reflectively: javac's warning on that "internal proprietary API" cannot be suppressed, and
 * the build compiles with -Werror.
 */
final class Signals {
  private Signals() {}

  /**
   * Runs {@code action} on SIGTERM and on SIGINT instead of the JVM's default (exit 143, no orderly
   * stop). A signal that cannot be handled is skipped: SIGINT is ignored for background jobs of a
   * script.
   */
  static void onStop(Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              Signals.class.getClassLoader(),
              new Class<?>[] {handlerType},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "handle" -> {
                      action.run();
                      yield null;
                    }
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "redis-ops stop handler";
                  });
      Method handle = signal.getMethod("handle", signal, handlerType);
      for (String name : new String[] {"TERM", "INT"}) {
        try {
          handle.invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
        } catch (InvocationTargetException e) {
          if (!(e.getCause() instanceof IllegalArgumentException)) {
            throw new IllegalStateException("cannot handle SIG" + name, e.getCause());
          }
          // the signal is ignored or reserved here: nothing to handle then
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot install the SIGTERM/SIGINT handlers", e);
    }
  }
}
