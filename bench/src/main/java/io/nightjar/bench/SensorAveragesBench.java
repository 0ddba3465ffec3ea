package io.nightjar.bench;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.avro.SensorReading;
import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.sensors.Periods;
import io.nightjar.jobs.sensors.ReadingParser;
import io.nightjar.testkit.AvroRecords;
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
 * MapReduce job) versus a plain single-threaded loop that decodes
 * the same Avro file and aggregates in a hash map, in one run on the same generated input; checks both give the same
 * figures and prints seconds (median and min of {@code --repeat} alternating runs) and records/s side by side. The
 * pipeline does more than the loop (it also removes duplicates, a shuffle of every reading, and keeps the record
 * accounting); the generated input has no duplicates, so the outputs must agree.
 */
@Command(name = "sensor-averages-bench", mixinStandardHelpOptions = true)
public final class SensorAveragesBench implements Callable<Integer> {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");

  @Mixin
  private final SensorDataOptions data = new SensorDataOptions(1000, 10_000_000);

  @Option(names = "--spark", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Add Spark 3.5 rows when bench-spark is built (-Pbench builds it; default: ${DEFAULT-VALUE}).")
  private boolean spark;

  @Mixin
  private final BenchOptions bench = new BenchOptions("target/sensor-averages-bench", 3);


  @Option(names = "--map-slots", defaultValue = "2", description = "Local map tasks in parallel (mapreduce.local.map.tasks.maximum).")
  private int mapSlots;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SensorAveragesBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FileUtil.fullyDelete(bench.workDir());
    File input = new File(bench.workDir(), "readings");
    Configuration conf = BenchSupport.localConf(bench.workDir(), mapSlots);
    BenchSupport.check(io.nightjar.testkit.Main.run(conf, "generate-sensor-readings", "--output", input.getAbsolutePath(), "--date", DAY.toString(),
        "--readings", Long.toString(data.readings), "--sensors", Integer.toString(data.sensors), "--files", "1"));
    File file = new File(input, "readings-00000.avro");
    System.out.printf("input: %,d readings, %,d sensors, %s (%,d bytes, snappy Avro)%n", data.readings, data.sensors, file,
        file.length());

    // engine and --duplicates of each row
    String[][] modes = SparkRun.available() && spark
        ? new String[][] {{"crunch", "keep"}, {"crunch", "remove"}, {"mapreduce", "keep"}, {"mapreduce", "remove"},
            {"spark", "keep"}, {"spark", "remove"}}
        : new String[][] {{"crunch", "keep"}, {"crunch", "remove"}, {"mapreduce", "keep"}, {"mapreduce", "remove"}};
    if (modes.length == 4) {
      System.out.println("no Spark rows: " + (spark ? "bench-spark is not built (mvn -Pbench builds it)" : "--no-spark"));
    }
    double[] loopSeconds = new double[bench.repeat()];
    double[][] seconds = new double[modes.length][bench.repeat()];
    Map<String, double[]> loop = null;
    int compared = 0;
    for (int r = 0; r < bench.repeat(); r++) { // alternating, so a noisy minute hits every row
      // The loop too runs as its own JVM (timed); its figures, to check every other row against, come from one more
      // run in this JVM (not timed).
      loopSeconds[r] = BenchSupport.runJava(bench.workDir(), "loop-" + (r + 1), List.of(),
          System.getProperty("java.class.path"), PlainLoop.class.getName(),
          List.of(file.getAbsolutePath()));
      if (loop == null) {
        loop = loop(file);
      }
      for (int m = 0; m < modes.length; m++) {
        String dataset = "bench-" + modes[m][0] + "-" + modes[m][1] + "-" + (r + 1);
        if (modes[m][0].equals("spark")) {
          File out = new File(bench.workDir(), dataset);
          List<String> args = new ArrayList<>(List.of("sensors", "--input", file.getAbsolutePath(), "--output",
              out.getAbsolutePath(), "--day", DAY.toString()));
          if (modes[m][1].equals("remove")) {
            args.add("--dedup");
          }
          seconds[m][r] = SparkRun.run(bench.workDir(), dataset, args.toArray(new String[0]));
          compared = compareSpark(loop, out);
          continue;
        }
        seconds[m][r] = BenchSupport.runTool(bench.workDir(), mapSlots, dataset, "sensor-averages", "--date", DAY.toString(),
            "--input", file.getAbsolutePath(), "--engine", modes[m][0], "--duplicates", modes[m][1], "--dataset",
            dataset);
        Dataset output = Dataset.of(conf, "sensors", dataset);
        compared = compare(loop, new File(output.dayPath(DAY).toUri().getPath()));
      }
    }

    double loopMedian = BenchSupport.median(loopSeconds);
    double loopMin = BenchSupport.min(loopSeconds);
    System.out.printf("%n%-58s %8s %8s %12s %8s %8s%n", "sensor averages, " + String.format("%,d", data.readings)
        + " readings, " + bench.repeat() + " runs", "median s", "min s", "readings/s", "vs loop", "min");
    row("plain loop (1 thread, decode + check + hash map)", loopSeconds, loopMedian, loopMin);
    for (int m = 0; m < modes.length; m++) {
      row(modes[m][0].equals("spark")
          ? "Spark 3.5 SQL local[2], own JVM" + (modes[m][1].equals("keep") ? "" : " + dropDuplicates")
          : "--engine " + modes[m][0] + " --duplicates " + modes[m][1] + " (local, " + mapSlots + " slots)",
          seconds[m], loopMedian, loopMin);
    }
    if (modes.length > 4) {
      for (int m = 0; m < 2; m++) {
        System.out.printf("nightjar --duplicates %s / Spark: %.2f (medians), %.2f (mins); goal <= 1.0%n", modes[m][1],
            BenchSupport.median(seconds[m]) / BenchSupport.median(seconds[m + 4]),
            BenchSupport.min(seconds[m]) / BenchSupport.min(seconds[m + 4]));
      }
    }
    System.out.printf("runs (s): loop %s", Arrays.toString(loopSeconds));
    for (int m = 0; m < modes.length; m++) {
      System.out.printf(", %s %s %s", modes[m][0], modes[m][1], Arrays.toString(seconds[m]));
    }
    System.out.printf("%ngoal: pipeline >= 0.50 of the loop's readings/s (vs loop = loop seconds / run seconds, of "
        + "the medians and of the mins); all runs gave the same %,d figures%n", compared);
    return 0;
  }

  /** One row: median and min seconds, readings/s of the median, and the loop's median and min over the row's. */
  private void row(String label, double[] seconds, double loopMedian, double loopMin) {
    double median = BenchSupport.median(seconds);
    double min = BenchSupport.min(seconds);
    System.out.printf("%-58s %8.2f %8.2f %,12.0f %8.2f %8.2f%n", label, median, min, data.readings / median,
        loopMedian / median, loopMin / min);
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

  /** Spark's output (generic Avro: sensorId, count, sum, min, max; one day) against the loop's figures. */
  private static int compareSpark(Map<String, double[]> loop, File output) throws IOException {
    long dayStart = Periods.start(DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(),
        Granularity.DAY);
    Map<String, double[]> figures = new HashMap<>();
    for (GenericRecord a : AvroFiles.readGeneric(FileSystem.getLocal(new Configuration()),
        new Path(output.getAbsolutePath()))) {
      add(figures, a.get("sensorId") + "@" + dayStart, ((Number) a.get("count")).longValue(),
          ((Number) a.get("sum")).doubleValue(), (Double) a.get("min"), (Double) a.get("max"), a);
    }
    return sameFigures(loop, figures, "Spark");
  }

  private static int compare(Map<String, double[]> loop, File published) throws IOException {
    Map<String, double[]> figures = new HashMap<>();
    for (SensorAggregate a : AvroRecords.readLocal(published, SensorAggregate.class)) {
      add(figures, a.getSensorId() + "@" + a.getPeriodStart(), a.getCount(), a.getSum(), a.getMin(), a.getMax(), a);
    }
    return sameFigures(loop, figures, "pipeline");
  }

  /** One published figure, as the loop keeps it: count, sum, min, max. */
  private static void add(Map<String, double[]> figures, String key, long count, double sum, double min, double max,
      Object row) {
    if (figures.put(key, new double[] {count, sum, min, max}) != null) {
      throw new IllegalStateException("published twice: " + row);
    }
  }

  /** Same keys, counts, min and max, and sums within 1e-9 (relative) of the loop's; returns how many. */
  private static int sameFigures(Map<String, double[]> loop, Map<String, double[]> theirs, String who) {
    for (Map.Entry<String, double[]> figure : theirs.entrySet()) {
      double[] f = loop.get(figure.getKey());
      double[] t = figure.getValue();
      if (f == null || f[0] != t[0] || f[2] != t[2] || f[3] != t[3] || Math.abs(f[1] - t[1]) > 1e-9 * Math.abs(f[1])) {
        throw new IllegalStateException(who + " and loop disagree on " + figure.getKey() + ": "
            + Arrays.toString(t) + " against " + Arrays.toString(f));
      }
    }
    if (theirs.size() != loop.size()) {
      throw new IllegalStateException(who + " gave " + theirs.size() + " figures, loop " + loop.size());
    }
    return theirs.size();
  }

}
