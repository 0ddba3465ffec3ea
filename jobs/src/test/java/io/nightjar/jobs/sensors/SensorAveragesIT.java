package io.nightjar.jobs.sensors;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.DatasetLease;
import io.nightjar.jobs.HdfsTestCluster;
import io.nightjar.jobs.Printed;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * sensor-averages as real MapReduce (the local job runner) reading and publishing on an in-process HDFS: the
 * published folder, its flag, the Avro figures (checked against the same computation written out plainly), the
 * quarantine, reruns, and failed runs that must publish nothing.
 */
public class SensorAveragesIT {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");
  private static final File SAMPLE = new File("../testdata/sensors/readings/2016-05-01/readings.csv");

  @ClassRule
  public static final HdfsTestCluster hdfs = new HdfsTestCluster();
  private static Configuration conf;
  private static FileSystem fs;

  @BeforeClass
  public static void startHdfs() throws IOException {
    conf = hdfs.conf();
    fs = hdfs.fs();
    fs.copyFromLocalFile(new Path(SAMPLE.getAbsolutePath()), new Path("/nightjar/sensors/readings/2016-05-01/"));
  }

  @Test
  public void publishesFiguresAndQuarantineOnHdfsAndRerunsIdentically() throws IOException {
    Dataset output = Dataset.of(conf, "sensors", "sensor-averages-day");
    assertEquals("hdfs", output.path().toUri().getScheme());

    assertEquals(0, run("--date", DAY.toString()));
    assertTrue(output.isPublished(fs, DAY));
    assertTrue(fs.exists(new Path(output.quarantinePath(DAY), Dataset.SUCCESS_FLAG)));
    List<SensorAggregate> figures = readAvro(output.dayPath(DAY), SensorAggregate.class);
    assertSameFigures(expectedFigures(), byKey(figures));
    assertEquals(24, figures.size());
    assertEquals(1200 - 1, figures.stream().mapToLong(SensorAggregate::getCount).sum());

    Map<String, Long> quarantined = new TreeMap<>();
    for (QuarantineRecord record : readAvro(output.quarantinePath(DAY), QuarantineRecord.class)) {
      quarantined.merge(record.getReason(), record.getRecords(), Long::sum);
    }
    Map<String, Long> expected = new TreeMap<>();
    expected.put(ReadingParser.UNPARSABLE_LINE, 2L);
    expected.put(ReadingParser.MISSING_FIELD, 1L);
    expected.put(ReadingParser.BAD_TIMESTAMP, 1L);
    expected.put(ReadingParser.BAD_VALUE, 1L);
    expected.put(ReadingParser.NON_FINITE_VALUE, 2L);
    expected.put(SensorAverages.CONFLICTING_DUPLICATE, 3L);
    assertEquals(expected, quarantined);

    assertEquals(0, run("--date", DAY.toString()));
    assertEquals("a rerun gives the same records, once", byKey(figures),
        byKey(readAvro(output.dayPath(DAY), SensorAggregate.class)));
    assertEquals(List.of(DAY), output.publishedDays(fs));
    List<String> names = new ArrayList<>();
    for (FileStatus status : fs.listStatus(output.path())) {
      names.add(status.getPath().getName().replaceAll("^(_superseded-2016-05-01)-.*", "$1"));
    }
    names.sort(null);
    assertEquals("no staging folders left; the replaced day kept aside for its readers; no lease held",
        List.of("2016-05-01", "_leases", "_quarantine", "_superseded-2016-05-01"), names);
    assertEquals(0, fs.listStatus(new Path(output.path(), DatasetLease.LEASE_DIR)).length);
  }

  @Test
  public void aDeviceFileCrossingMidnightPublishesEachDayItCovers() throws Exception {
    // One device file with two UTC days of readings, one reading of the day before and one from a reset clock.
    for (String day : new String[] {"2016-06-01", "2016-06-02"}) {
      assertEquals(0, hdfs.run("generate-sensor-readings", "--date", day, "--output", "/multi/" + day,
          "--format", "csv", "--sensors", "10", "--readings", "3000", "--seed", day.substring(8)));
      assertEquals(0, run("--date", day, "--input", "/multi/" + day, "--dataset", "one-day-runs"));
    }
    StringBuilder file = new StringBuilder();
    for (String day : new String[] {"2016-06-01", "2016-06-02"}) {
      for (FileStatus part : fs.listStatus(new Path("/multi/" + day))) {
        try (java.io.InputStream in = fs.open(part.getPath())) {
          file.append(new String(in.readAllBytes(), "UTF-8"));
        }
      }
    }
    file.append("s1,2016-05-31 23:59:00,1.5\ns1,1970-01-01 00:00:00,2.5\n");
    // Damaged lines of each day (dated by their timestamp), and one with no readable day.
    for (String day : new String[] {"2016-06-01", "2016-06-02"}) {
      file.append("s9,").append(day).append(" 10:00:00,abc\ns9,").append(day).append(" 11:00:00,NaN\ns9,")
          .append(day).append(" 12:00:00,1.0,extra\n");
    }
    file.append("s9,2016-06-01 13:00:00,5d\ns9,not-a-time,1.0\n");
    writeLines(new Path("/multi/device/readings.csv"), file.toString().strip());

    String printed = stdoutOf("--dates", "2016-06-01..2016-06-02", "--input", "/multi/device", "--dataset", "multi");
    Dataset oneDayRuns = Dataset.of(conf, "sensors", "one-day-runs");
    Dataset multi = Dataset.of(conf, "sensors", "multi");
    for (String text : new String[] {"2016-06-01", "2016-06-02"}) {
      LocalDate day = LocalDate.parse(text);
      assertTrue(multi.isPublished(fs, day));
      assertEquals("each day equals its one-day run", byKey(readAvro(oneDayRuns.dayPath(day), SensorAggregate.class)),
          byKey(readAvro(multi.dayPath(day), SensorAggregate.class)));
      assertTrue(printed, printed.contains("sensor-averages " + day + ": published "));
    }
    assertEquals("the first day: the reset clock, its 4 damaged lines and the undated one",
        Map.of(ReadingParser.IMPLAUSIBLE_TIMESTAMP, 1L, ReadingParser.BAD_VALUE, 2L,
            ReadingParser.NON_FINITE_VALUE, 1L, ReadingParser.UNPARSABLE_LINE, 1L, ReadingParser.BAD_TIMESTAMP, 1L),
        reasons(multi.quarantinePath(LocalDate.parse("2016-06-01")), "2016-06-01"));
    assertEquals(Map.of(ReadingParser.BAD_VALUE, 1L, ReadingParser.NON_FINITE_VALUE, 1L,
        ReadingParser.UNPARSABLE_LINE, 1L), reasons(multi.quarantinePath(LocalDate.parse("2016-06-02")), "2016-06-02"));
    assertTrue(printed, printed.contains("1 readings of 2016-05-31 skipped (not asked for): to publish that day, run "
        + "sensor-averages --dates 2016-05-31..2016-05-31 --input "));
    assertFalse(fs.exists(multi.dayPath(LocalDate.parse("2016-05-31"))));

    // A day the input holds no reading of is not published empty.
    assertEquals(1, run("--dates", "2016-06-02..2016-06-03", "--input", "/multi/device", "--dataset", "multi"));
    assertFalse(multi.isPublished(fs, LocalDate.parse("2016-06-03")));

    // One day asked for from the same file: the other day's readings are skipped and reported, not quarantined.
    // Its damaged lines are that day's run's to quarantine (before, each one-day run quarantined every damaged line).
    Path usual = new Path("/nightjar/sensors/readings/2016-06-01");
    for (FileStatus part : fs.listStatus(new Path("/multi/2016-06-01"))) {
      FileUtil.copy(fs, part.getPath(), fs, new Path(usual, part.getPath().getName()), false, conf);
    }
    printed = stdoutOf("--date", "2016-06-02", "--input", "/multi/device", "--dataset", "multi");
    String suggested = "sensor-averages --dates 2016-06-01..2016-06-01 --input '";
    assertTrue(printed, printed.contains("3,004 readings of 2016-06-01 skipped (not asked for): 2016-06-01 is "
        + "published; if its run did not read this input, recompute it over its own readings and these: "
        + suggested + fs.getUri() + "/{nightjar/sensors/readings/2016-06-01,multi/device}'"));
    assertTrue(printed, printed.contains(" --project sensors --dataset multi --granularity day"));
    assertTrue(printed, printed.contains("2 lines without a plausible timestamp were quarantined in 2016-06-02; the input "
        + "also holds readings of 2016-05-31, 2016-06-01, whose runs over it quarantine them again"));
    assertEquals("the reset clock, the undated line and the day's own 3 damaged lines", Map.of(
        ReadingParser.IMPLAUSIBLE_TIMESTAMP, 1L, ReadingParser.BAD_TIMESTAMP, 1L, ReadingParser.BAD_VALUE, 1L,
        ReadingParser.NON_FINITE_VALUE, 1L, ReadingParser.UNPARSABLE_LINE, 1L),
        reasons(multi.quarantinePath(LocalDate.parse("2016-06-02")), null));

    // The command it suggests runs (before, its glob failed: URISyntaxException) and gives the same day: the copy's
    // readings are the device file's again, exact duplicates, removed.
    Map<String, SensorAggregate> before = byKey(readAvro(multi.dayPath(LocalDate.parse("2016-06-01")),
        SensorAggregate.class));
    String command = printed.substring(printed.indexOf(suggested) + "sensor-averages ".length(),
        printed.indexOf(" (the rerun replaces the day)", printed.indexOf(suggested)));
    assertEquals(command, 0, run(command.replace("'", "").split(" ")));
    assertEquals(before, byKey(readAvro(multi.dayPath(LocalDate.parse("2016-06-01")), SensorAggregate.class)));

    // A day of several is refused with its own reasons (before, every day showed the whole run's).
    Printed refused = Printed.by(() -> run("-D", "nightjar.quarantine.max-fraction=0.0005", "--dates",
        "2016-06-01..2016-06-02", "--input", "/multi/device", "--dataset", "strict"));
    assertEquals(refused.toString(), 1, refused.status);
    String secondDay = refused.err.substring(refused.err.indexOf("2016-06-02: "));
    assertTrue(secondDay, secondDay.contains("mostly BAD_VALUE 1, NON_FINITE_VALUE 1, UNPARSABLE_LINE 1"));
  }

  /** Quarantined records by reason, each checked to carry {@code day}. */
  private static Map<String, Long> reasons(Path quarantine, String day) throws IOException {
    Map<String, Long> reasons = new TreeMap<>();
    for (QuarantineRecord record : readAvro(quarantine, QuarantineRecord.class)) {
      assertEquals(record.toString(), day, record.getDay());
      reasons.merge(record.getReason(), record.getRecords(), Long::sum);
    }
    return reasons;
  }

  /** Runs sensor-averages, expecting success; returns what it printed. */
  private static String stdoutOf(String... args) {
    Printed printed = Printed.by(() -> run(args));
    assertEquals(printed.toString(), 0, printed.status);
    return printed.out;
  }

  @Test
  public void showPrintsTheDayItsSchemaRecordsAndQuarantine() throws Exception {
    assertEquals(0, run("--date", "2016-05-01", "--dataset", "shown"));
    Printed printed = Printed.by(() -> hdfs.run("show", "sensors/shown", "--records", "2", "--quarantined", "1"));
    assertEquals(printed.toString(), 0, printed.status);
    String shown = printed.out;
    assertTrue(shown, shown.contains("/nightjar/sensors/shown/2016-05-01 (published)"));
    assertTrue(shown, shown.contains("records: 24 in "));
    assertTrue(shown, shown.contains("\"name\" : \"SensorAggregate\""));
    assertEquals(shown, 2, shown.lines().filter(line -> line.startsWith("{\"sensorId\": ")).count());
    assertTrue(shown, shown.contains("quarantine: 10 input record(s) by reason:"));
    assertTrue(shown, shown.contains("  CONFLICTING_DUPLICATE    3"));
    assertTrue(shown, shown.contains("first quarantined:\n  "));
    assertTrue(shown, shown.contains("    raw: "));
  }

  @Test
  public void ofTwoConcurrentRunsOfADayOnePublishesAndTheOtherIsRefused() throws Exception {
    Dataset output = Dataset.of(conf, "sensors", "concurrent");
    String[] args = {"--date", DAY.toString(), "--dataset", "concurrent"};
    ExecutorService runs = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> first = runs.submit(() -> run(args));
      Path lease = new Path(output.path(), DatasetLease.LEASE_DIR + "/" + DAY);
      while (!fs.exists(lease) && !first.isDone()) {
        Thread.sleep(10);
      }
      assertFalse("the first run holds the lease", first.isDone());
      Future<Integer> second = runs.submit(() -> run(args));
      assertEquals("the second run is refused", 1, (int) second.get(5, TimeUnit.MINUTES));
      assertFalse("refused at once, while the first still runs", first.isDone());
      assertEquals(0, (int) first.get(5, TimeUnit.MINUTES));
    } finally {
      runs.shutdownNow();
    }
    List<SensorAggregate> concurrent = readAvro(output.dayPath(DAY), SensorAggregate.class);
    assertEquals(0, run(args));
    assertEquals("the day equals a single run", byKey(readAvro(output.dayPath(DAY), SensorAggregate.class)),
        byKey(concurrent));
  }

  @Test
  public void failedRunsPublishNothingAndKeepThePreviousDay() throws Exception {
    LocalDate day = LocalDate.parse("2016-05-02");
    Dataset output = Dataset.of(conf, "sensors", "sensor-averages-hour");
    Path input = new Path("/inputs/2016-05-02");
    String[] args = {"--date", day.toString(), "--granularity", "hour", "--input", input.toString()};

    // Too much bad input: the job runs, then refuses to publish the data; the quarantine is kept for inspection.
    writeLines(new Path(input, "a.csv"), "s1,2016-05-02 01:00:00,1", "s1,2016-05-02 02:00:00,oops");
    assertEquals(1, run(args));
    assertFalse(fs.exists(output.dayPath(day)));
    assertTrue(fs.exists(new Path(output.quarantinePath(day), Dataset.SUCCESS_FLAG)));

    // Good input publishes.
    writeLines(new Path(input, "a.csv"), "s1,2016-05-02 01:00:00,1", "s1,2016-05-02 02:00:00,3");
    assertEquals(0, run(args));
    assertEquals(2, readAvro(output.dayPath(day), SensorAggregate.class).size());

    // A corrupt Avro file fails the MapReduce job: the published day stays as it was, nothing half-written is left.
    fs.delete(new Path(input, "a.csv"), false);
    try (FSDataOutputStream out = fs.create(new Path(input, "corrupt.avro"))) {
      out.write("Obj\u0001 this is not an avro container".getBytes("UTF-8"));
    }
    assertEquals(1, run(args));
    assertEquals(2, readAvro(output.dayPath(day), SensorAggregate.class).size());
    for (FileStatus status : fs.listStatus(output.path())) {
      assertFalse(status.getPath().getName(), status.getPath().getName().startsWith("_staging"));
    }
  }

  @Test
  public void dryRunPrintsResolvedPathsAndRunsNothing() throws Exception {
    String printed = stdoutOf("--date", "2016-05-01", "--granularity", "minute", "--dry-run");
    String root = fs.getUri() + "/nightjar/sensors/";
    assertTrue(printed, printed.contains("input: " + root + "readings/2016-05-01"));
    assertTrue(printed, printed.contains("output: " + root + "sensor-averages-minute/2016-05-01"));
    assertFalse(fs.exists(new Path("/nightjar/sensors/sensor-averages-minute")));
  }

  private static int run(String... args) {
    return hdfs.run("sensor-averages", args);
  }

  /**
   * The same computation written out plainly over the same file (parse, one reading per sensor and timestamp unless
   * its values conflict, totals per sensor-day): what MapReduce must reproduce.
   */
  private static Map<String, SensorAggregate> expectedFigures() throws IOException {
    Map<String, java.util.Set<Double>> valuesBySensorAndTime = new java.util.TreeMap<>();
    for (String line : Files.readAllLines(SAMPLE.toPath())) {
      ReadingParser.Outcome outcome = ReadingParser.parseLine(line, DAY);
      if (outcome.kind == ReadingParser.Outcome.Kind.VALID) {
        valuesBySensorAndTime.computeIfAbsent(outcome.reading.getSensorId() + "\t" + outcome.reading.getTimestamp(),
            k -> new java.util.HashSet<>()).add(outcome.reading.getValue());
      }
    }
    Map<String, double[]> totals = new java.util.TreeMap<>(); // count, sum, min, max
    for (Map.Entry<String, java.util.Set<Double>> reading : valuesBySensorAndTime.entrySet()) {
      if (reading.getValue().size() == 1) {
        double value = reading.getValue().iterator().next();
        double[] t = totals.computeIfAbsent(reading.getKey().split("\t")[0],
            k -> new double[] {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
        t[0]++;
        t[1] += value;
        t[2] = Math.min(t[2], value);
        t[3] = Math.max(t[3], value);
      }
    }
    List<SensorAggregate> figures = new ArrayList<>();
    long dayStart = DAY.toEpochDay() * Periods.DAY_MILLIS;
    totals.forEach((sensor, t) -> figures.add(SensorAverages.figure(sensor, Granularity.DAY, dayStart, (long) t[0],
        t[1], t[2], t[3])));
    return byKey(figures);
  }

  /**
   * Counts, minima and maxima must match exactly; sums and means to 1e-12 relative, since floating-point addition
   * in another order (the plain computation versus MapReduce's sort) can differ in the last bit.
   */
  private static void assertSameFigures(Map<String, SensorAggregate> expected, Map<String, SensorAggregate> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (Map.Entry<String, SensorAggregate> entry : expected.entrySet()) {
      SensorAggregate e = entry.getValue();
      SensorAggregate a = actual.get(entry.getKey());
      assertEquals(entry.getKey(), e.getCount(), a.getCount());
      assertEquals(entry.getKey(), e.getMin(), a.getMin(), 0);
      assertEquals(entry.getKey(), e.getMax(), a.getMax(), 0);
      assertEquals(entry.getKey(), e.getSum(), a.getSum(), Math.abs(e.getSum()) * 1e-12);
      assertEquals(entry.getKey(), e.getMean(), a.getMean(), Math.abs(e.getMean()) * 1e-12);
    }
  }

  private static Map<String, SensorAggregate> byKey(List<SensorAggregate> figures) {
    Map<String, SensorAggregate> byKey = new TreeMap<>();
    for (SensorAggregate a : figures) {
      SensorAggregate previous = byKey.put(a.getSensorId() + "@" + a.getPeriodStart(), a);
      assertEquals("duplicate figure for " + a.getSensorId(), null, previous);
    }
    return byKey;
  }

  private static <T> List<T> readAvro(Path dir, Class<T> type) throws IOException {
    return hdfs.readAvro(dir, type);
  }

  private static void writeLines(Path file, String... lines) throws IOException {
    try (FSDataOutputStream out = fs.create(file, true)) {
      out.write((String.join("\n", lines) + "\n").getBytes("UTF-8"));
    }
  }
}
