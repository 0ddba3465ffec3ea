package io.nightjar.jobs.ads;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.jobs.Main;
import io.nightjar.jobs.Printed;
import org.apache.hadoop.conf.Configuration;
import org.junit.Test;

/** {@code --strategy} is an enum option: any case, hyphenated names, and a usage error (exit 2) listing the values. */
public class StrategyOptionTest {

  @Test
  public void strategiesParseInAnyCase() {
    assertEquals("strategy: adaptive (chosen with --strategy)", strategyLine("Adaptive"));
    assertEquals("strategy: mapside (chosen with --strategy)", strategyLine("MAPSIDE"));
    assertEquals("strategy: sharded (chosen with --strategy)", strategyLine("sharded"));
  }

  @Test
  public void anUnknownStrategyIsAUsageErrorNamingTheValues() {
    Printed printed = dryRun("salted");
    assertEquals(printed.toString(), 2, printed.status);
    String err = printed.err;
    assertTrue(err, err.startsWith("impressions-join: Invalid value for option '--strategy': expected one of ["));
    assertTrue(err, err.toLowerCase().contains("adaptive") && err.contains("but was 'salted'"));
  }

  private static String strategyLine(String strategy) {
    Printed printed = dryRun(strategy);
    assertEquals(printed.toString(), 0, printed.status);
    return printed.out.lines().filter(line -> line.startsWith("strategy: ")).findFirst().orElseThrow();
  }

  private static Printed dryRun(String strategy) {
    return Printed.by(() -> Main.run(new Configuration(), "impressions-join", "--date", "2016-05-01", "--strategy",
        strategy, "--impressions", "/tmp/no-impressions", "--metadata", "/tmp/no-metadata", "--dry-run"));
  }
}
