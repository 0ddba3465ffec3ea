package io.nightjar.bench;

import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.avro.AvroInputCheck;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.Main;
import io.nightjar.testkit.AvroRecords;
import io.nightjar.testkit.TrackDataOptions;
import java.io.File;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * attributes-daily on a day with 1% new tracks (reading yesterday's attributes and the day's incremental) versus
 * recomputing every track's attributes from the full analysis view (the latest full plus the incremental), in one
 * run on the same generated history of whole analysis documents ({@code --segments} per track): bytes read (the
 * inputs, and every local file read including side files, spills and the shuffle), wall time, each the median (and
 * for wall time also the min) of {@code --repeat} alternating runs, and a check that both publish the same snapshot.
 */
@Command(name = "attributes-daily-bench", mixinStandardHelpOptions = true)
public final class AttributesDailyBench implements Callable<Integer> {

  private static final String DAY1 = "2016-05-01";
  private static final String DAY2 = "2016-05-02";

  @Mixin
  private final TrackDataOptions data = new TrackDataOptions(20_000, 500);

  @Mixin
  private final BenchOptions bench = new BenchOptions("target/attributes-daily-bench", 3);


  public static void main(String[] args) {
    System.exit(new CommandLine(new AttributesDailyBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FileUtil.fullyDelete(bench.workDir());
    Configuration conf = BenchSupport.localConf(bench.workDir(), 2);
    File root = new File(bench.workDir(), "root");
    String newPerDay = Integer.toString(data.tracks / 100);
    long started = System.nanoTime();
    for (int day = 1; day <= 2; day++) {
      String folder = "analysis/" + (day == 1 ? "full/" + DAY1 : "incremental/" + DAY2);
      File out = new File(root, "daily/" + folder);
      BenchSupport.check(io.nightjar.testkit.Main.run(conf, "generate-track-analysis", "--output", out.getAbsolutePath(), "--first-date",
          DAY1, "--day", Integer.toString(day), "--tracks", Integer.toString(data.tracks), "--new", newPerDay,
          "--changed", Integer.toString(data.tracks / 1000), "--deleted", Integer.toString(data.tracks / 10000),
          "--segments", Integer.toString(data.segments)));
      new File(out, Dataset.SUCCESS_FLAG).createNewFile();
      File copy = new File(root, "recompute/" + folder); // the same files, linked
      copy.mkdirs();
      for (File f : out.listFiles()) {
        Files.createLink(new File(copy, f.getName()).toPath(), f.toPath());
      }
    }
    System.out.printf("generated the history in %.0f s%n", (System.nanoTime() - started) / 1e9);
    BenchSupport.check(Main.run(conf, "attributes-daily", "--project", "daily", "--date", DAY1));

    File yesterday = new File(root, "daily/attributes/" + DAY1);
    File full = new File(root, "daily/analysis/full/" + DAY1);
    File incremental = new File(root, "daily/analysis/incremental/" + DAY2);
    double[] dailySeconds = new double[bench.repeat()];
    double[] recomputeSeconds = new double[bench.repeat()];
    double[] dailyRead = new double[bench.repeat()];
    double[] recomputeRead = new double[bench.repeat()];
    for (int r = 0; r < bench.repeat(); r++) { // alternating, so a noisy minute hits both
      long read = localBytesRead();
      long start = System.nanoTime();
      BenchSupport.check(Main.run(conf, "attributes-daily", "--project", "daily", "--date", DAY2));
      dailySeconds[r] = (System.nanoTime() - start) / 1e9;
      dailyRead[r] = localBytesRead() - read;
      read = localBytesRead();
      start = System.nanoTime();
      BenchSupport.check(Main.run(conf, "attributes-daily", "--project", "recompute", "--date", DAY2));
      recomputeSeconds[r] = (System.nanoTime() - start) / 1e9;
      recomputeRead[r] = localBytesRead() - read;
    }

    BenchSupport.Digest daily = BenchSupport.Digest.ofFolder(new File(root, "daily/attributes/" + DAY2));
    BenchSupport.Digest recompute = BenchSupport.Digest.ofFolder(new File(root, "recompute/attributes/" + DAY2));
    if (!daily.equals(recompute)) {
      throw new IllegalStateException("the daily job and the recompute published different attributes: " + daily
          + " against " + recompute);
    }
    long delta = bytes(incremental);
    long goalBase = bytes(yesterday) + delta;
    System.out.printf("%nattributes for %s: %,d tracks yesterday (%d segments each), %,d new per day; "
        + "analysis full %,d bytes, incremental %,d, yesterday's attributes %,d; median of %d runs%n", DAY2, data.tracks,
        data.segments, Integer.parseInt(newPerDay), bytes(full), delta, bytes(yesterday), bench.repeat());
    System.out.printf("%-44s %14s %14s %14s %10s %8s%n", "", "input bytes", "all bytes read", "records read",
        "seconds", "min s");
    System.out.printf("%-44s %,14d %,14.0f %,14d %10.1f %8.1f%n", "attributes-daily (yesterday + incremental)",
        goalBase, BenchSupport.median(dailyRead), records(yesterday) + records(incremental),
        BenchSupport.median(dailySeconds), BenchSupport.min(dailySeconds));
    System.out.printf("%-44s %,14d %,14.0f %,14d %10.1f %8.1f%n", "recompute from the full view (full + incr.)",
        bytes(full) + delta, BenchSupport.median(recomputeRead), records(full) + records(incremental),
        BenchSupport.median(recomputeSeconds), BenchSupport.min(recomputeSeconds));
    System.out.printf("runs (s): daily %s, recompute %s%n", Arrays.toString(dailySeconds),
        Arrays.toString(recomputeSeconds));
    long read = localBytesRead(); // the share of the input check before the job (headers and ends) in the daily run
    AvroInputCheck.requireReadable(conf, TrackAttributes.getClassSchema(),
        List.of(new Path(yesterday.getAbsolutePath())));
    AvroInputCheck.requireReadable(conf, TrackAnalysis.getClassSchema(), List.of(new Path(incremental.getAbsolutePath())));
    long checkRead = localBytesRead() - read;
    System.out.printf("of the daily run's bytes read, %,d are AvroInputCheck's reads of its inputs' headers and ends "
        + "(buffered reads of the checksummed local file system); without them: %.2f x (yesterday's attributes + "
        + "delta)%n",
        checkRead, (BenchSupport.median(dailyRead) - checkRead) / goalBase);
    System.out.printf("daily: all bytes read / (yesterday's attributes + today's delta) = %.2f (goal <= 1.1); "
        + "wall time daily / recompute = %.2f median, %.2f min (goal <= 0.20); both published the same %,d rows%n",
        BenchSupport.median(dailyRead) / goalBase,
        BenchSupport.median(dailySeconds) / BenchSupport.median(recomputeSeconds),
        BenchSupport.min(dailySeconds) / BenchSupport.min(recomputeSeconds), daily.count());
    return 0;
  }

  /**
   * Bytes read through the local file system so far in this JVM (local-mode MapReduce runs its tasks here): inputs,
   * checksums, side files, spills and the shuffle.
   */
  private static long localBytesRead() {
    long total = 0;
    for (FileSystem.Statistics statistics : FileSystem.getAllStatistics()) {
      if ("file".equals(statistics.getScheme())) {
        total += statistics.getBytesRead();
      }
    }
    return total;
  }

  private static long bytes(File dir) {
    long total = 0;
    for (File f : dir.listFiles((d, name) -> name.endsWith(".avro"))) {
      total += f.length();
    }
    return total;
  }

  private static long records(File dir) throws Exception {
    return AvroRecords.countLocal(dir);
  }
}
