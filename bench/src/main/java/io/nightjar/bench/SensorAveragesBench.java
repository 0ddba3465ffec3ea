package io.nightjar.bench;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.avro.SensorReading;
import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.sensors.Periods;
import io.nightjar.jobs.sensors.ReadingParser;
import io.nightjar.testkit.ReadingDuplicatesOptions;
import io.nightjar.testkit.SensorDataOptions;
import java.io.File;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * sensor-averages (MapReduce in local mode, the same tool users run; both engines: the Crunch pipeline and the classic
 * MapReduce job; {@code --duplicates keep} and {@code remove}) and the same work in Spark 3.5 SQL at its defaults,
 * all on the same generated readings on the same storage ({@code --storage}: an HDFS of the benchmark's own by
 * default), beside a plain single-threaded loop that decodes the local copy of the file and aggregates in a hash map.
 * The readings carry real duplicates: {@code --duplicate-fraction} repeated exactly and {@code --conflict-fraction}
 * followed by a reading of the same sensor and timestamp with another value. Every {@code keep} row must publish the
 * loop's figures (every reading counted), every {@code remove} row the figures of nightjar's rule (a repeat counts
 * once, conflicting readings not at all), computed here apart from any run. Prints each run, median and min seconds
 * (of {@code --repeat} alternating runs), readings/s, and the ratios to the loop and to Spark.
 */
@Command(name = "sensor-averages-bench", mixinStandardHelpOptions = true)
public final class SensorAveragesBench implements Callable<Integer> {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");
  /** Where the figures of {@link #DAY} start, as the loop and nightjar key them. */
  private static final long DAY_START =
      Periods.start(DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(), Granularity.DAY);
  private static final List<String> ROWS = List.of("crunch-keep", "crunch-remove", "mapreduce-keep",
      "mapreduce-remove", "spark-keep", "spark-remove");

  @Mixin
  private final SensorDataOptions data = new SensorDataOptions(1000, 10_000_000);

  @Mixin
  private final ReadingDuplicatesOptions repeats = new ReadingDuplicatesOptions(0.02, 0.001);

  @Option(names = "--rows", split = ",", description = "Rows to run besides the loop, of " + "crunch-keep, "
      + "crunch-remove, mapreduce-keep, mapreduce-remove, spark-keep, spark-remove (default: all; the Spark rows when "
      + "bench-spark is built).")
  private List<String> rows;

  @Option(names = "--spark", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Add Spark 3.5 rows when bench-spark is built (-Pbench builds it; default: ${DEFAULT-VALUE}).")
  private boolean spark;

  @Mixin
  private StorageOption storage;

  @Mixin
  private SettingsOption set;

  @Mixin
  private final BenchOptions bench = new BenchOptions("target/sensor-averages-bench", 3);

  @Mixin
  private final WarmupOption warmup = new WarmupOption();

  @Option(names = "--map-slots", defaultValue = "2", description = "Local map tasks in parallel (mapreduce.local.map.tasks.maximum).")
  private int mapSlots;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SensorAveragesBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FileUtil.fullyDelete(bench.workDir());
    File input = new File(bench.workDir(), "readings/" + DAY);
    List<String> generate = new ArrayList<>(List.of("generate-sensor-readings", "--output", input.getAbsolutePath(),
        "--date", DAY.toString(), "--readings", Long.toString(data.readings), "--sensors",
        Integer.toString(data.sensors), "--files", "1"));
    generate.addAll(repeats.asArguments());
    BenchSupport.check(io.nightjar.testkit.Main.run(BenchSupport.localConf(bench.workDir(), mapSlots),
        generate.toArray(new String[0])));
    File file = new File(input, "readings-00000.avro");
    List<String> runs = new ArrayList<>(rows == null ? ROWS : rows);
    if (!ROWS.containsAll(runs)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--rows takes " + String.join(",", ROWS));
    }
    if (!spark || !SparkRun.available()) {
      runs.removeIf(row -> row.startsWith("spark-"));
      System.out.println("no Spark rows: " + (spark ? "bench-spark is not built (mvn -Pbench builds it)" : "--no-spark"));
    }
    Map<String, double[]> keep = loop(file);
    Map<String, double[]> remove = runs.stream().anyMatch(row -> row.endsWith("-remove")) ? removed(file) : null;
    int warm = warmup.rounds();
    double[] loopAll = new double[warm + bench.repeat()];
    double[][] all = new double[runs.size()][warm + bench.repeat()];
    try (BenchStorage storage = this.storage.open(bench.workDir(), mapSlots)) {
      Path stored = new Path(storage.put(input, "readings/" + DAY), file.getName());
      System.out.printf("input: %,d readings%s, %,d sensors, %,d bytes of snappy Avro, on the %s%n", count(keep),
          remove == null ? "" : String.format(" (%,d of them left by nightjar's rule)", count(remove)), data.sensors,
          file.length(), storage.label());
      BenchSupport.settle(); // the generated input written to disk before the first run
      for (int r = 0; r < warm + bench.repeat(); r++) { // alternating, so a noisy minute hits every row
        String round = warmup.roundName(r);
        // The loop too runs as its own JVM, on the local copy (no HDFS client between it and the bytes).
        loopAll[r] = BenchSupport.runJava(bench.workDir(), "loop-" + round, List.of(),
            System.getProperty("java.class.path"), PlainLoop.class.getName(), List.of(file.getAbsolutePath()));
        for (int k = 0; k < runs.size(); k++) {
          String[] row = runs.get(k).split("-");
          String name = "bench-" + runs.get(k) + "-" + round;
          Path output;
          if (row[0].equals("spark")) {
            output = storage.path("spark/" + name);
            List<String> args = new ArrayList<>(List.of("sensors", "--input", stored.toString(), "--output",
                output.toString(), "--day", DAY.toString()));
            if (row[1].equals("remove")) {
              args.add("--dedup");
            }
            all[k][r] = SparkRun.run(bench.workDir(), name, args.toArray(new String[0]));
          } else {
            all[k][r] = BenchSupport.runTool(bench.workDir(), set.over(storage.settings()), name, "sensor-averages",
                "--date", DAY.toString(), "--input", stored.toString(), "--engine", row[0], "--duplicates", row[1],
                "--dataset", name);
            output = Dataset.of(storage.conf(), "sensors", name).dayPath(DAY);
          }
          sameFigures(row[1].equals("keep") ? keep : remove, published(storage.fs(), output), runs.get(k));
          storage.fs().delete(output.getParent(), true);
          BenchSupport.settle(); // the next run starts without this one's write-back
        }
      }
      double[] loopSeconds = warmup.timed(loopAll);
      double[][] seconds = new double[runs.size()][];
      for (int k = 0; k < runs.size(); k++) {
        seconds[k] = warmup.timed(all[k]);
      }
      System.out.printf("%n%-58s %8s %8s %12s %8s %8s  %-16s %s%n", String.format("sensor averages, %,d readings, %s, "
          + "after %d untimed warm-up round(s)", data.readings, storage.label(), warm), "median s", "min s",
          "readings/s", "vs loop", "min", "runs (s)", "warm-up (s)");
      row("plain loop (1 thread, local copy: decode, check, hash map)", loopSeconds, loopSeconds,
          warmup.warmups(loopAll));
      for (int k = 0; k < runs.size(); k++) {
        String[] row = runs.get(k).split("-");
        row(row[0].equals("spark") ? "Spark 3.5 SQL local[2], defaults" + (row[1].equals("keep") ? ""
            : ", duplicates as nightjar removes them") : "--engine " + row[0] + " --duplicates " + row[1] + " ("
            + mapSlots + " slots)", seconds[k], loopSeconds, warmup.warmups(all[k]));
      }
      for (String duplicates : List.of("keep", "remove")) {
        int nightjar = runs.indexOf("crunch-" + duplicates);
        int theirs = runs.indexOf("spark-" + duplicates);
        if (nightjar >= 0 && theirs >= 0) {
          System.out.printf("nightjar --duplicates %s / Spark at its defaults: %.2f (medians), %.2f (mins); goal <= %s%n",
              duplicates, BenchSupport.median(seconds[nightjar]) / BenchSupport.median(seconds[theirs]),
              BenchSupport.min(seconds[nightjar]) / BenchSupport.min(seconds[theirs]),
              duplicates.equals("keep") ? "0.5" : "0.6");
        }
      }
      System.out.printf("every keep row published the loop's %,d figures, every remove row those of nightjar's rule%n",
          keep.size());
    }
    return 0;
  }

  /** One row: median and min seconds, readings/s of the median, the loop's time over the row's, and every run. */
  private void row(String label, double[] seconds, double[] loopSeconds, double[] warmups) {
    double median = BenchSupport.median(seconds);
    double min = BenchSupport.min(seconds);
    System.out.printf("%-58s %8.2f %8.2f %,12.0f %8.2f %8.2f  %-16s %s%n", label, median, min, data.readings / median,
        BenchSupport.median(loopSeconds) / median, BenchSupport.min(loopSeconds) / min,
        BenchSupport.runs(seconds, "%.2f"), BenchSupport.runs(warmups, "%.2f"));
  }

  /** The plain loop as a process of its own: prints the number of sensor days it aggregated. */
  public static final class PlainLoop {
    public static void main(String[] args) throws IOException {
      System.out.println(loop(new File(args[0])).size() + " sensor days");
    }
  }

  /** Decode, check and aggregate: count, sum, min, max per sensor and day. */
  static Map<String, double[]> loop(File file) throws IOException {
    Map<String, double[]> figures = new HashMap<>();
    try (DataFileReader<SensorReading> reader =
        new DataFileReader<>(file, new SpecificDatumReader<>(SensorReading.class))) {
      SensorReading reading = null;
      while (reader.hasNext()) {
        reading = reader.next(reading);
        if (ReadingParser.check(reading, DAY).kind != ReadingParser.Outcome.Kind.VALID) {
          continue;
        }
        String key = reading.getSensorId() + "@" + Periods.start(reading.getTimestamp(),
            Granularity.DAY);
        double value = reading.getValue();
        double[] f = figures.get(key);
        if (f == null) {
          figures.put(key, new double[] {1, value, value, value});
        } else {
          f[0]++;
          f[1] += value;
          f[2] = Math.min(f[2], value);
          f[3] = Math.max(f[3], value);
        }
      }
    }
    return figures;
  }

  /**
   * The figures of nightjar's {@code --duplicates remove}, computed apart from any run: per sensor, the readings in
   * (timestamp, order read) order; a timestamp whose readings all have one value counts once, one with several values
   * not at all. Holds a long and a double a reading and a sorted copy of the longs (up to 4 GB for 100 M).
   */
  static Map<String, double[]> removed(File file) throws IOException {
    Map<String, SensorReadings> sensors = new HashMap<>();
    try (DataFileReader<SensorReading> reader =
        new DataFileReader<>(file, new SpecificDatumReader<>(SensorReading.class))) {
      SensorReading reading = null;
      while (reader.hasNext()) {
        reading = reader.next(reading);
        if (ReadingParser.check(reading, DAY).kind == ReadingParser.Outcome.Kind.VALID) {
          sensors.computeIfAbsent(reading.getSensorId().toString(), id -> new SensorReadings())
              .add(reading.getTimestamp() - DAY_START, reading.getValue());
        }
      }
    }
    Map<String, double[]> figures = new HashMap<>();
    sensors.forEach((sensor, readings) -> {
      double[] f = readings.resolved();
      if (f[0] > 0) {
        figures.put(sensor + "@" + DAY_START, f);
      }
    });
    return figures;
  }

  /** One sensor's readings of the day: (offset in the day << 32 | index) keys and values, growing. */
  private static final class SensorReadings {
    private long[] keys = new long[1024];
    private double[] values = new double[1024];
    private int size;

    void add(long offset, double value) {
      if (size == keys.length) {
        keys = Arrays.copyOf(keys, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      keys[size] = offset << 32 | size;
      values[size++] = value;
    }

    /** count, sum, min, max of the readings left when duplicates are resolved. */
    double[] resolved() {
      long[] sorted = Arrays.copyOf(keys, size);
      Arrays.sort(sorted);
      double[] f = {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
      for (int i = 0; i < sorted.length; ) {
        int end = i + 1;
        double value = values[(int) sorted[i]];
        boolean conflicting = false;
        while (end < sorted.length && sorted[end] >>> 32 == sorted[i] >>> 32) {
          conflicting |= values[(int) sorted[end]] != value;
          end++;
        }
        if (!conflicting) {
          f[0]++;
          f[1] += value;
          f[2] = Math.min(f[2], value);
          f[3] = Math.max(f[3], value);
        }
        i = end;
      }
      return f;
    }
  }

  /**
   * What a run published in {@code output} (Avro files with sensorId, count, sum, min, max, and periodStart, which
   * Spark's output does not have: its one day), keyed as the loop keys its figures.
   */
  private static Map<String, double[]> published(FileSystem fs, Path output) throws IOException {
    Map<String, double[]> figures = new HashMap<>();
    for (GenericRecord a : AvroFiles.readGeneric(fs, output)) {
      Object start = a.getSchema().getField("periodStart") == null ? DAY_START : a.get("periodStart");
      add(figures, a.get("sensorId") + "@" + start, ((Number) a.get("count")).longValue(),
          ((Number) a.get("sum")).doubleValue(), (Double) a.get("min"), (Double) a.get("max"), a);
    }
    return figures;
  }

  /** Readings the figures count. */
  private static long count(Map<String, double[]> figures) {
    return figures.values().stream().mapToLong(f -> (long) f[0]).sum();
  }

  /** One published figure, as the loop keeps it: count, sum, min, max. */
  private static void add(Map<String, double[]> figures, String key, long count, double sum, double min, double max,
      Object row) {
    if (figures.put(key, new double[] {count, sum, min, max}) != null) {
      throw new IllegalStateException("published twice: " + row);
    }
  }

  /** Same keys, counts, min and max, and sums within 1e-9 (relative) of the expected ones; returns how many. */
  private static int sameFigures(Map<String, double[]> expected, Map<String, double[]> theirs, String who) {
    for (Map.Entry<String, double[]> figure : theirs.entrySet()) {
      double[] f = expected.get(figure.getKey());
      double[] t = figure.getValue();
      if (f == null || f[0] != t[0] || f[2] != t[2] || f[3] != t[3] || Math.abs(f[1] - t[1]) > 1e-9 * Math.abs(f[1])) {
        throw new IllegalStateException(who + " and the expected figures disagree on " + figure.getKey() + ": "
            + Arrays.toString(t) + " against " + Arrays.toString(f));
      }
    }
    if (theirs.size() != expected.size()) {
      throw new IllegalStateException(who + " gave " + theirs.size() + " figures, expected " + expected.size());
    }
    return theirs.size();
  }

}
