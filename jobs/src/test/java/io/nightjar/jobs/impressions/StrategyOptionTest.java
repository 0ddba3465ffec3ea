package io.nightjar.jobs.impressions;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.jobs.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.junit.Test;

/** {@code --strategy} is an enum option: any case, hyphenated names, and a usage error (exit 2) listing the values. */
public class StrategyOptionTest {

  @Test
  public void strategiesParseInAnyCase() {
    assertEquals("strategy: crunch-sharded (chosen with --strategy)", strategyLine("Crunch-Sharded"));
    assertEquals("strategy: mapside (chosen with --strategy)", strategyLine("MAPSIDE"));
    assertEquals("strategy: sharded (chosen with --strategy)", strategyLine("sharded"));
  }

  @Test
  public void anUnknownStrategyIsAUsageErrorNamingTheValues() {
    PrintStream saved = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertEquals(2, dryRun("salted", new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    } finally {
      System.setErr(saved);
    }
    String err = buffer.toString(StandardCharsets.UTF_8);
    assertTrue(err, err.startsWith("impressions-join: Invalid value for option '--strategy': expected one of ["));
    assertTrue(err, err.contains("crunch-sharded") && err.contains("but was 'salted'"));
  }

  private static String strategyLine(String strategy) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    assertEquals(0, dryRun(strategy, new PrintStream(buffer, true, StandardCharsets.UTF_8)));
    return buffer.toString(StandardCharsets.UTF_8).lines().filter(line -> line.startsWith("strategy: ")).findFirst()
        .orElseThrow();
  }

  private static int dryRun(String strategy, PrintStream out) {
    PrintStream saved = System.out;
    System.setOut(out);
    try {
      return Main.run(new Configuration(), "impressions-join", "--date", "2016-05-01", "--strategy", strategy,
          "--impressions", "/tmp/no-impressions", "--metadata", "/tmp/no-metadata", "--dry-run");
    } finally {
      System.setOut(saved);
    }
  }
}
