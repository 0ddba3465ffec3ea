package io.nightjar.jobs.sensors;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.testkit.AvroRecords;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.RecordAccounting;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.Printed;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * sensor-averages with {@code --engine crunch} (the default) and {@code --engine mapreduce} on the same input, as
 * local MapReduce: both must publish the same figures (sums to rounding: the engines add in different orders), the
 * same quarantine records (with their reasons) and the same record accounting, with {@code _SUCCESS} in the day and
 * its quarantine.
 */
public class SensorAveragesEnginesTest {

  private static final String DAY = "2016-05-01";

  @Rule
  public TemporaryFolder folder = new TemporaryFolder();

  private static final List<String> LINES = List.of(
      "sensorId,timestamp,value",
      "s1,2016-05-01 00:00:01,1",
      "s1,2016-05-01 00:30:00,3",
      "s1,2016-05-01 01:00:00,8",
      "s1,2016-05-01 01:00:00,8",
      "s1,2016-05-01 01:00:00,8",
      "s2,2016-05-01 23:59:59,-4.5",
      "s2,2016-05-01 12:00:00,5",
      "s2,2016-05-01 12:00:00,6",
      "s3,2016-05-01 12:00:00,Infinity",
      "s3,2016-05-01 12:00:01,2",
      "bad line",
      "s4,2016-05-02 10:00:00,1",
      "s4,1970-01-01 00:00:00,1",
      "",
      "s5,2016-05-01 05:00:00,1",
      "s5,2016-05-01 05:00:00,2");

  @Test
  public void bothEnginesPublishTheSameDayFromDeviceLines() throws Exception {
    File input = folder.newFile("readings.csv");
    Files.write(input.toPath(), LINES);
    Configuration conf = conf();
    Run crunch = run(conf, "crunch", input, "remove", "hour");
    Run mapReduce = run(conf, "mapreduce", input, "remove", "hour");
    assertSame(crunch, mapReduce);
    // 17 lines = out 5 (s1: 3 distinct, s2: 1, s3: 1) + quarantined 7 (2 + 2 conflicting, Infinity, bad line,
    // 1970) + skipped 5 (header, blank, 2 repeats, another day); s5 has only conflicting readings, so no figure
    assertEquals("figures=4 out=5 quarantined=7 skipped=5", mapReduce.accounting);
    assertEquals("2 1.0 3.0 4.0", mapReduce.figures.get("s1@" + hour(0) + "-count,min,max,sum").split("\\|")[0]);
    assertEquals(5, mapReduce.quarantine.size()); // one record per conflicting timestamp
  }

  @Test
  public void bothEnginesPublishTheSameDayWithoutDuplicateRemoval() throws Exception {
    File input = folder.newFile("readings.csv");
    Files.write(input.toPath(), LINES);
    Configuration conf = conf();
    Run crunch = run(conf, "crunch", input, "keep", "day");
    Run mapReduce = run(conf, "mapreduce", input, "keep", "day");
    assertSame(crunch, mapReduce);
    assertEquals("figures=4 out=11 quarantined=3 skipped=3", mapReduce.accounting);
  }

  @Test
  public void bothEnginesPublishTheSameDayFromGeneratedAvroWithDuplicates() throws Exception {
    File readings = new File(folder.getRoot(), "avro");
    Configuration conf = conf();
    assertEquals(0, io.nightjar.testkit.Main.run(new Configuration(conf), "generate-sensor-readings", "--output", readings.getPath(),
        "--date", DAY, "--readings", "3000", "--sensors", "17", "--files", "2", "--duplicate-fraction", "0.05"));
    Run crunch = run(conf, "crunch", readings, "remove", "minute");
    Run mapReduce = run(conf, "mapreduce", readings, "remove", "minute");
    assertSame(crunch, mapReduce);
    assertTrue(mapReduce.accounting, !mapReduce.accounting.endsWith(" skipped=0")); // the repeats
  }

  private static void assertSame(Run crunch, Run mapReduce) {
    assertEquals(crunch.figures.keySet(), mapReduce.figures.keySet());
    for (Map.Entry<String, String> figure : crunch.figures.entrySet()) {
      String[] expected = figure.getValue().split("\\|");
      String[] actual = mapReduce.figures.get(figure.getKey()).split("\\|");
      assertEquals(figure.getKey(), expected[0], actual[0]);
      assertEquals(figure.getKey(), Double.parseDouble(expected[1]), Double.parseDouble(actual[1]),
          1e-9 * Math.abs(Double.parseDouble(expected[1])));
    }
    assertEquals(crunch.quarantine, mapReduce.quarantine);
    assertEquals(crunch.accounting, mapReduce.accounting);
  }

  private Configuration conf() throws Exception {
    Configuration conf = new Configuration();
    conf.set("fs.defaultFS", "file:///");
    conf.set("mapreduce.framework.name", "local");
    conf.set(Dataset.ROOT_KEY, folder.newFolder("root").getAbsolutePath());
    conf.setDouble(RecordAccounting.MAX_QUARANTINE_FRACTION_KEY, 1.0);
    return conf;
  }

  private static long hour(int h) {
    return java.time.Instant.parse(DAY + "T00:00:00Z").toEpochMilli() + h * 3_600_000L;
  }

  /** What one run published: figures by sensor@period, quarantine records, and its accounting line. */
  private static final class Run {
    final Map<String, String> figures = new TreeMap<>();
    final List<String> quarantine = new ArrayList<>();
    String accounting;
  }

  private static Run run(Configuration conf, String engine, File input, String duplicates, String granularity)
      throws Exception {
    String dataset = "engine-" + engine + "-" + duplicates + "-" + granularity;
    Printed printed = Printed.by(() -> Main.run(new Configuration(conf), "sensor-averages", "--date", DAY, "--input",
        input.getPath(), "--engine", engine, "--duplicates", duplicates, "--granularity", granularity, "--dataset",
        dataset));
    String out = printed.out;
    System.out.print(out);
    assertEquals(printed.toString(), 0, printed.status);
    Dataset published = Dataset.of(conf, "sensors", dataset);
    File day = new File(published.dayPath(java.time.LocalDate.parse(DAY)).toUri().getPath());
    File quarantine = new File(published.quarantinePath(java.time.LocalDate.parse(DAY)).toUri().getPath());
    assertTrue(new File(day, Dataset.SUCCESS_FLAG).exists());
    assertTrue(new File(quarantine, Dataset.SUCCESS_FLAG).exists());
    assertEquals("only data files in the day", 0, day.list((d, n) -> !n.startsWith(".") && !n.endsWith(".avro")
        && !n.equals(Dataset.SUCCESS_FLAG)).length);
    Run run = new Run();
    for (SensorAggregate a : AvroRecords.readLocal(day, SensorAggregate.class)) {
      String key = a.getSensorId() + "@" + a.getPeriodStart() + "-count,min,max,sum";
      if (run.figures.put(key, a.getCount() + " " + a.getMin() + " " + a.getMax() + " " + a.getSum() + "|"
          + a.getMean() + "|" + a.getGranularity()) != null) {
        throw new AssertionError("two figures for " + key);
      }
    }
    for (QuarantineRecord q : AvroRecords.readLocal(quarantine, QuarantineRecord.class)) {
      run.quarantine.add(q.toString());
    }
    run.quarantine.sort(null);
    run.accounting = accountingOf(out, dataset);
    return run;
  }

  /** The accounting line the tool prints: figures, readings out, quarantined and skipped. */
  private static String accountingOf(String out, String dataset) {
    Matcher m = Pattern.compile("sensor-averages " + DAY + ": published \\S+" + dataset
        + "/" + DAY + " \\((\\d+) figures from (\\d+) readings\\); (\\d+) quarantined in \\S+; (\\d+) skipped")
        .matcher(out);
    assertTrue(out, m.find());
    return "figures=" + m.group(1) + " out=" + m.group(2) + " quarantined=" + m.group(3) + " skipped=" + m.group(4);
  }
}
