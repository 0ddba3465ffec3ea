package io.nightjar.jobs;

import static org.junit.Assert.assertEquals;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.util.Tool;
import org.junit.Test;

/** Whatever escapes a tool ends as one line on stderr (the last; the log may print the stack trace before it), exit 1. */
public class MainTest {

  @Test
  public void aLinkageErrorIsOneLineAndExitOne() {
    Printed printed = Printed.by(() -> Main.run("sensor-averages", () -> failing(new NoSuchMethodError(
        "'void org.apache.avro.Schema$Field.<init>(java.lang.String, org.apache.avro.Schema)'")),
        new Configuration()));
    assertEquals(printed.toString(), 1, printed.status);
    assertEquals("sensor-averages failed: java.lang.NoSuchMethodError: "
        + "'void org.apache.avro.Schema$Field.<init>(java.lang.String, org.apache.avro.Schema)'", lastLine(printed.err));
  }

  @Test
  public void aFailedStaticInitializerNamesItsCause() {
    Printed printed = Printed.by(() -> Main.run("impressions-join", () -> {
      throw new ExceptionInInitializerError(new IllegalStateException("no schema"));
    }, new Configuration()));
    assertEquals(printed.toString(), 1, printed.status);
    assertEquals("impressions-join failed: java.lang.IllegalStateException: no schema", lastLine(printed.err));
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
}
