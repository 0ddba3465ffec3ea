package io.nightjar.jobs;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.util.Tool;
import org.junit.Test;

/** Whatever escapes a tool ends as one line on stderr (the last; the log may print the stack trace before it), exit 1. */
public class MainTest {

  @Test
  public void aLinkageErrorIsOneLineAndExitOne() {
    String err = stderrOf(() -> assertEquals(1, Main.run("sensor-averages", () -> failing(new NoSuchMethodError(
        "'void org.apache.avro.Schema$Field.<init>(java.lang.String, org.apache.avro.Schema)'")),
        new Configuration())));
    assertEquals("sensor-averages failed: java.lang.NoSuchMethodError: "
        + "'void org.apache.avro.Schema$Field.<init>(java.lang.String, org.apache.avro.Schema)'", lastLine(err));
  }

  @Test
  public void aFailedStaticInitializerNamesItsCause() {
    String err = stderrOf(() -> assertEquals(1, Main.run("impressions-join", () -> {
      throw new ExceptionInInitializerError(new IllegalStateException("no schema"));
    }, new Configuration())));
    assertEquals("impressions-join failed: java.lang.IllegalStateException: no schema", lastLine(err));
  }

  private static Tool failing(Error error) {
    return new Failing(error);
  }

  private static final class Failing extends Configured implements Tool {
    private final Error error;

    Failing(Error error) {
      this.error = error;
    }

    @Override
    public int run(String[] args) {
      throw error;
    }
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }

  private static String stderrOf(Runnable action) {
    PrintStream saved = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(saved);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
