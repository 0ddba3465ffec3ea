package io.nightjar.bench;

import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.AvroFiles;
import io.nightjar.common.Dataset;
import io.nightjar.jobs.Main;
import java.io.File;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * attributes-daily on a day with 1% new tracks (reading yesterday's attributes and the day's incremental) versus
 * recomputing every track's attributes from the full analysis view (the latest full plus the incremental), in one
 * run on the same generated history: input bytes and records read, wall time, and a check that both give the same
 * snapshot.
 */
@Command(name = "attributes-daily-bench", mixinStandardHelpOptions = true)
public final class AttributesDailyBench implements Callable<Integer> {

  private static final String DAY1 = "2016-05-01";
  private static final String DAY2 = "2016-05-02";

  @Option(names = "--tracks", defaultValue = "1000000")
  private int tracks;

  @Option(names = "--work-dir", defaultValue = "target/attributes-daily-bench")
  private File workDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new AttributesDailyBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FileUtil.fullyDelete(workDir);
    Configuration conf = BenchSupport.localConf(workDir, 2);
    File root = new File(workDir, "root");
    String newPerDay = Integer.toString(tracks / 100);
    for (String project : new String[] {"daily", "recompute"}) {
      for (int day = 1; day <= 2; day++) {
        File out = new File(root, project + "/analysis/" + (day == 1 ? "full/" + DAY1 : "incremental/" + DAY2));
        BenchSupport.check(Main.run(conf, "generate-track-analysis", "--output", out.getAbsolutePath(), "--first-date", DAY1,
            "--day", Integer.toString(day), "--tracks", Integer.toString(tracks), "--new", newPerDay,
            "--changed", Integer.toString(tracks / 1000), "--deleted", Integer.toString(tracks / 10000)));
        new File(out, Dataset.SUCCESS_FLAG).createNewFile();
      }
    }
    BenchSupport.check(Main.run(conf, "attributes-daily", "--project", "daily", "--date", DAY1));

    File yesterday = new File(root, "daily/attributes/" + DAY1);
    File full = new File(root, "daily/analysis/full/" + DAY1);
    File incremental = new File(root, "daily/analysis/incremental/" + DAY2);

    long start = System.nanoTime();
    BenchSupport.check(Main.run(conf, "attributes-daily", "--project", "daily", "--date", DAY2));
    double dailySeconds = (System.nanoTime() - start) / 1e9;
    start = System.nanoTime();
    BenchSupport.check(Main.run(conf, "attributes-daily", "--project", "recompute", "--date", DAY2));
    double recomputeSeconds = (System.nanoTime() - start) / 1e9;

    Set<TrackAttributes> daily = read(new File(root, "daily/attributes/" + DAY2));
    if (!daily.equals(read(new File(root, "recompute/attributes/" + DAY2)))) {
      throw new IllegalStateException("the daily job and the recompute published different attributes");
    }
    long dailyBytes = bytes(yesterday) + bytes(incremental);
    long recomputeBytes = bytes(full) + bytes(incremental);
    long dailyRecords = records(yesterday) + records(incremental);
    long recomputeRecords = records(full) + records(incremental);
    System.out.printf("%nattributes for %s: %,d tracks yesterday, %,d new per day%n", DAY2, tracks,
        Integer.parseInt(newPerDay));
    System.out.printf("%-44s %14s %14s %10s%n", "", "bytes read", "records read", "seconds");
    System.out.printf("%-44s %,14d %,14d %10.1f%n", "attributes-daily (yesterday + incremental)", dailyBytes,
        dailyRecords, dailySeconds);
    System.out.printf("%-44s %,14d %,14d %10.1f%n", "recompute from the full view (full + incr.)",
        recomputeBytes, recomputeRecords, recomputeSeconds);
    System.out.printf("daily bytes / (yesterday's attributes + today's delta) = %.2f (goal <= 1.1); "
        + "wall time daily / recompute = %.2f (goal <= 0.20); both published the same %,d rows%n",
        dailyBytes / (double) (bytes(yesterday) + bytes(incremental)), dailySeconds / recomputeSeconds,
        daily.size());
    return 0;
  }

  private static long bytes(File dir) {
    long total = 0;
    for (File f : dir.listFiles((d, name) -> name.endsWith(".avro"))) {
      total += f.length();
    }
    return total;
  }

  private static long records(File dir) throws Exception {
    return AvroFiles.countLocal(dir);
  }

  private static Set<TrackAttributes> read(File dir) throws Exception {
    return new HashSet<>(AvroFiles.readLocal(dir, TrackAttributes.class));
  }


}
