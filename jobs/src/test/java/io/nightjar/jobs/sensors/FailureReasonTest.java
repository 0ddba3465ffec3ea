package io.nightjar.jobs.sensors;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.jobs.Main;
import io.nightjar.jobs.Printed;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A run whose MapReduce job fails says why in its one line: a truncated {@code .csv.gz} is named with its exception
 * (before, the line was "a MapReduce job of the pipeline failed (see the log above)" and the cause was only in the
 * log). And a killed run's scratch, Crunch's temporary files included, is removed by the next run of the day.
 */
public class FailureReasonTest {

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aTruncatedGzipInputIsNamedInTheReasonByBothEngines() throws IOException {
    File readings = tmp.newFolder("readings");
    byte[] whole = gzip("s1,2016-05-01 00:00:00,1.0\n".repeat(20_000));
    Files.write(new File(readings, "good.csv.gz").toPath(), gzip("s2,2016-05-01 00:00:00,2.0\n"));
    Files.write(new File(readings, "cut.csv.gz").toPath(), Arrays.copyOf(whole, whole.length / 2));

    for (String engine : new String[] {"crunch", "mapreduce"}) {
      Printed printed = Printed.by(() -> Main.run(new Configuration(), "sensor-averages", "--root",
          tmp.getRoot().getPath(), "--date", "2016-05-01", "--input", readings.getPath(), "--engine", engine));
      assertEquals(printed.toString(), 1, printed.status);
      String[] lines = printed.err.strip().split("\n");
      String reason = lines[lines.length - 1];
      // Exactly the cause: the local job runner keeps no task diagnostics (its "NA" is not one).
      assertTrue(engine + ": " + reason, reason.matches("sensor-averages failed: a MapReduce job of the pipeline "
          + "failed: \\S+/cut\\.csv\\.gz is damaged: java\\.io\\.EOFException: [^;]* \\(the file is truncated\\); "
          + "\\S+/2016-05-01 not published"));
      assertFalse(engine + ": " + reason, reason.contains("good.csv.gz"));
      assertFalse(engine + ": nothing published", new File(tmp.getRoot(),
          "sensors/sensor-averages-day/2016-05-01").exists());
    }
  }

  @Test
  public void aKilledRunsScratchIsRemovedByTheNextRunAndTheRunLeavesNone() throws IOException {
    File readings = tmp.newFolder("readings");
    Files.writeString(new File(readings, "r.csv").toPath(), "s1,2016-05-01 00:00:00,1.0\n");
    File dataset = new File(tmp.getRoot(), "sensors/sensor-averages-day");
    File deadRun = new File(dataset, "_work-2016-05-01-0f1e2d3c/crunch/crunch-123456789/p1");
    assertTrue(deadRun.mkdirs());
    Files.writeString(new File(deadRun, "part-m-00000").toPath(), "left by kill -9");

    Printed printed = Printed.by(() -> Main.run(new Configuration(), "sensor-averages", "--root",
        tmp.getRoot().getPath(), "--date", "2016-05-01", "--input", readings.getPath()));
    assertEquals(printed.toString(), 0, printed.status);
    assertArrayEquals("scratch left in " + dataset, new String[0],
        dataset.list((dir, name) -> name.startsWith("_work-")));
    assertTrue(new File(dataset, "2016-05-01/_SUCCESS").exists());
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }
}
