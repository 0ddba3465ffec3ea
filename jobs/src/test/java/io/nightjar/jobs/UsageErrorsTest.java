package io.nightjar.jobs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.apache.hadoop.conf.Configuration;
import org.junit.Test;

/**
 * A command line that cannot run exits 2 with its reason as the one line, last on stderr: picocli's parse errors and
 * the tools' own checks of their options alike (before, the second kind exited 1 and the first ended with a "Try"
 * line instead of the reason).
 */
public class UsageErrorsTest {

  @Test
  public void aMissingDayIsAUsageError() {
    assertUsageError("sensor-averages: give either --date DAY or --dates FROM..TO (try 'sensor-averages --help')",
        "sensor-averages", "--root", "/tmp/nightjar-usage", "--dry-run");
  }

  @Test
  public void anOutOfRangeValueIsAUsageError() {
    Printed printed = usageError("impressions-join", "--date", "2016-05-01", "--reducers", "0",
        "--root", "/tmp/nightjar-usage", "--dry-run");
    assertTrue(printed.toString(), lastLine(printed).startsWith("impressions-join: --reducers and --rows-per-reducer"
        + " must be at least 1, not 0"));
  }

  @Test
  public void aParseErrorIsOneLineEndingInTheHint() {
    assertUsageError("s3-import: Unknown options: '--chunkz', '1' (try 's3-import --help')",
        "s3-import", "--date", "2016-05-01", "--bucket", "analysis", "--chunkz", "1");
  }

  /** Not a usage error but a failed run: one line naming what is missing (before: Crunch's stack, 69 lines). */
  @Test
  public void aDumpThatDoesNotExistIsOneLine() {
    Printed printed = Printed.by(() -> Main.run(new Configuration(), "s3-import", "--root", "/tmp/nightjar-usage",
        "--date", "2016-05-01", "--dump", "/tmp/nightjar-usage/no-such-dump.tsv", "--bucket", "analysis"));
    assertEquals(printed.toString(), 1, printed.status);
    assertEquals("s3-import failed: no metadata dump at file:/tmp/nightjar-usage/no-such-dump.tsv", lastLine(printed));
    assertFalse("no stack trace: " + printed, printed.err.contains("\tat "));
  }

  private static void assertUsageError(String expectedLine, String... args) {
    Printed printed = usageError(args);
    assertEquals(printed.toString(), expectedLine, lastLine(printed));
  }

  private static Printed usageError(String... args) {
    Printed printed = Printed.by(() -> Main.run(new Configuration(), args));
    assertEquals(printed.toString(), 2, printed.status);
    assertFalse("no stack trace: " + printed, printed.err.contains("\tat "));
    return printed;
  }

  private static String lastLine(Printed printed) {
    String[] lines = printed.err.strip().split("\n");
    return lines[lines.length - 1];
  }
}
