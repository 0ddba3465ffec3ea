package io.nightjar.jobs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code verify} recomputes a published day from its manifest: equal on an untouched day, not equal naming the input
 * when one changed or was added, and not equal naming the records when the day itself was altered; it leaves nothing
 * behind and does not touch the day.
 */
public class VerifyToolTest {

  @Rule
  public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void equalOnAnUntouchedDayAndNotAfterAnInputOrTheDayChanged() throws Exception {
    File readings = tmp.newFolder("readings");
    File sample = new File(readings, "readings.csv");
    Files.copy(new File("../testdata/sensors/readings/2016-05-01/readings.csv").toPath(), sample.toPath());
    // 60 damaged lines: 4.7 % of the input, published only with the run's -D setting, which verify must set again.
    Files.writeString(new File(readings, "damaged.csv").toPath(), "s9,not-a-time,1.0\n".repeat(60),
        StandardCharsets.UTF_8);
    File root = tmp.newFolder("root");
    Configuration conf = new Configuration();
    conf.set("nightjar.quarantine.max-fraction", "0.5");
    assertEquals(0, Main.run(conf, "sensor-averages", "--root", root.getPath(), "--date", "2016-05-01", "--input",
        readings.getPath()));
    File day = new File(root, "sensors/sensor-averages-day/2016-05-01");
    String flag = Files.readString(new File(day, "_SUCCESS").toPath());
    List<String> files = List.of(day.list());

    Printed equal = verify();
    assertEquals(equal.toString(), 0, equal.status);
    assertTrue(equal.out, equal.out.contains("verify sensors/sensor-averages-day 2016-05-01: equal: "));
    assertEquals("no scratch left", List.of("sensors"), List.of(root.list()));
    assertEquals("the day untouched", flag, Files.readString(new File(day, "_SUCCESS").toPath()));
    assertEquals(files, List.of(day.list()));

    File late = new File(readings, "late.csv");
    Files.writeString(late.toPath(), "s1,2016-05-01 12:00:00,1.5\n", StandardCharsets.UTF_8);
    Printed added = verify();
    assertEquals(added.toString(), 1, added.status);
    assertTrue(added.out, added.out.contains("not equal: 1 input(s) changed since it was published: "));
    assertTrue(added.out, added.out.contains("late.csv is new"));
    assertTrue(late.delete());

    Files.writeString(sample.toPath(), "s1,2016-05-01 12:00:00,1.5\n", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    Printed grown = verify();
    assertEquals(1, grown.status);
    assertTrue(grown.out, grown.out.matches("(?s).*readings\\.csv is \\d+ bytes, was \\d+.*"));
    Files.copy(new File("../testdata/sensors/readings/2016-05-01/readings.csv").toPath(), sample.toPath(),
        StandardCopyOption.REPLACE_EXISTING);

    // The day altered by hand (its figures replaced by its quarantine's file): the rerun's records differ.
    File quarantinePart = new File(root, "sensors/sensor-averages-day/_quarantine/2016-05-01")
        .listFiles((dir, name) -> name.endsWith(".avro"))[0];
    for (File part : day.listFiles((dir, name) -> name.endsWith(".avro"))) {
      assertTrue(part.delete());
    }
    Files.copy(quarantinePart.toPath(), new File(day, "part-x.avro").toPath());
    Printed altered = verifyIgnoringInputTimes(sample);
    assertEquals(altered.toString(), 1, altered.status);
    assertTrue(altered.out, altered.out.contains("not equal: records: "));
    assertFalse(altered.out, altered.out.contains("quarantine: "));
  }

  private Printed verify() {
    return Printed.by(() -> Main.run(new Configuration(), "verify", "sensors/sensor-averages-day", "--root",
        new File(tmp.getRoot(), "root").getPath(), "--date", "2016-05-01"));
  }

  /** The sample copied back has another modification time than the manifest's: put the recorded one back. */
  private Printed verifyIgnoringInputTimes(File sample) throws Exception {
    File flag = new File(tmp.getRoot(), "root/sensors/sensor-averages-day/2016-05-01/_SUCCESS");
    String manifest = Files.readString(flag.toPath());
    Matcher modified = Pattern.compile("readings\\.csv\",\\s*\"bytes\" : \\d+,\\s*\"modified\" : \"([^\"]+)\"")
        .matcher(manifest);
    assertTrue(manifest, modified.find());
    assertTrue(sample.setLastModified(Instant.parse(modified.group(1)).toEpochMilli()));
    return verify();
  }
}
