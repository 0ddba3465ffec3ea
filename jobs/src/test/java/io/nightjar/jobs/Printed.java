package io.nightjar.jobs;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * What a tool run printed: its exit status and its {@code System.out} and {@code System.err}, captured while it ran
 * (the streams are restored after, whatever happens). {@link #toString} gives both, for assertion messages.
 */
public final class Printed {

  public final int status;
  public final String out;
  public final String err;

  private Printed(int status, String out, String err) {
    this.status = status;
    this.out = out;
    this.err = err;
  }

  /** Runs {@code run} (e.g. {@code () -> hdfs.run("show", ...)}) with its output captured. */
  public static Printed by(IntSupplier run) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      status = run.getAsInt();
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    return new Printed(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs {@code run} with its output captured; for code without an exit status (status 0). */
  public static Printed byRunning(Runnable run) {
    return by(() -> {
      run.run();
      return 0;
    });
  }

  @Override
  public String toString() {
    return "exit " + status + "; stdout:\n" + out + "stderr:\n" + err;
  }
}
