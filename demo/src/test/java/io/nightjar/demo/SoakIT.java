package io.nightjar.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.EnumSet;
import java.util.List;
import org.junit.Test;
import picocli.CommandLine;

/**
 * A short seeded soak run from the shipped job jar: the bulk import and two days of the chain, with a seed that injects
 * every kind of fault (a run killed with kill -9, S3 stopped, an empty lease file, truncated readings), each followed
 * by the operator's step; every published day must equal the undisturbed run's and nothing may be left behind.
 */
public class SoakIT {

  /**
   * Draws 4 faults over the 12 job jar runs of the bulk import and two days (the test kit's generators draw none), one
   * of each kind, and kills a bulk chunk's s3-import 1.6 s after its JVM starts (it runs for about 10 s). A seed's
   * faults follow from java.util.Random alone, so a new one can be chosen without running the soak.
   */
  private static final String SEED = "1538";

  @Test
  public void everyDayAfterRandomFaultsEqualsTheUndisturbedRun() throws Exception {
    Soak soak = new Soak();
    new CommandLine(soak).setCaseInsensitiveEnumValuesAllowed(true).parseArgs("--seed", SEED, "--days", "2",
        "--fault-probability", "0.5", "--testdata", "../testdata", "--apps", "../workflows",
        "--job-jar", System.getProperty(ShippedJar.JOB_JAR_PROPERTY, "../" + ShippedJar.DEFAULT_JOB_JAR),
        "--testkit-jar", System.getProperty(ShippedJar.TESTKIT_JAR_PROPERTY, "../" + ShippedJar.DEFAULT_TESTKIT_JAR),
        "--hadoop-jars", System.getProperty(ShippedJar.HADOOP_JARS_PROPERTY, "../" + ShippedJar.DEFAULT_HADOOP_JARS));
    Soak.Result result = soak.soak();
    assertEquals("what did not hold with seed " + SEED, List.of(), result.problems());
    assertEquals("the seed draws every kind of fault: " + result.injected(), EnumSet.allOf(Soak.Fault.class),
        EnumSet.copyOf(result.kinds()));
    assertTrue("a run was killed mid-way: " + result.injected(),
        result.injected().stream().anyMatch(line -> line.contains("killed -9 after")));
    assertTrue("days compared: " + result.daysCompared(), result.daysCompared() >= 30);
  }
}
