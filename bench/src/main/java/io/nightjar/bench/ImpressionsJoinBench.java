package io.nightjar.bench;

import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.ads.ImpressionsJoinTool;
import io.nightjar.testkit.AdDataOptions;
import java.io.File;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.codehaus.jackson.JsonNode;
import org.codehaus.jackson.map.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * impressions-join with each strategy on the same Zipf-skewed day (MapReduce in local mode), and the same join in
 * Spark 3.5 SQL (sort-merge at Spark's defaults and tuned, broadcast; each its own process) when bench-spark is
 * built, in one run, all reading and writing the same storage ({@code --storage}: an HDFS of the benchmark's own by
 * default): median and min wall time of {@code --repeat} alternating runs, largest reducer input, max/mean reducer
 * input and metadata rows shuffled, read from each run's skew report; checks that every run published the same rows
 * (an order-independent digest of whole rows, streamed from the files).
 */
@Command(name = "impressions-join-bench", mixinStandardHelpOptions = true)
public final class ImpressionsJoinBench implements Callable<Integer> {

  private static final String DAY = "2016-05-01";
  /** Crunch's {@code ShardedJoinStrategy}, run by {@link CrunchShardedJoin} for comparison. */
  private static final String CRUNCH_SHARDED = "crunch-sharded";

  @Mixin
  private final AdDataOptions data = new AdDataOptions(10_000_000, 10_000, 1.1);

  @Option(names = "--reducers", defaultValue = "" + ImpressionsJoinTool.DEFAULT_REDUCERS,
      description = "Reduce tasks of nightjar's joins and partitions of Spark's tuned row (default: the tool's own, "
          + "${DEFAULT-VALUE}; Spark's default row keeps its own).")
  private int reducers;

  @Option(names = "--slots", defaultValue = "2", description = "Local map and reduce tasks in parallel.")
  private int slots;

  @Option(names = "--strategies", defaultValue = "default,sharded,crunch-sharded,adaptive,mapside", split = ",")
  private List<String> strategies;

  @Mixin
  private StorageOption storage;

  @Mixin
  private SettingsOption set;

  @Option(names = "--spark", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Add Spark 3.5 rows when bench-spark is built (-Pbench builds it; default: ${DEFAULT-VALUE}).")
  private boolean spark;

  /** Runs of each row alternate. */
  @Mixin
  private final BenchOptions bench = new BenchOptions("target/impressions-join-bench", 1);

  @Mixin
  private final WarmupOption warmup = new WarmupOption();


  public static void main(String[] args) {
    System.exit(new CommandLine(new ImpressionsJoinBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FileUtil.fullyDelete(bench.workDir());
    File root = new File(bench.workDir(), "root");
    Configuration conf = BenchSupport.localConf(bench.workDir(), slots);
    File metadata = new File(root, "ads/ad-metadata/" + DAY);
    BenchSupport.check(io.nightjar.testkit.Main.run(conf, "generate-ad-impressions", "--date", DAY, "--impressions", Long.toString(data.impressions),
        "--ads", Integer.toString(data.ads), "--zipf", Double.toString(data.zipf), "--files", "4",
        "--impressions-output", new File(root, "ads/impressions/" + DAY).getAbsolutePath(),
        "--metadata-output", metadata.getAbsolutePath()));
    new File(metadata, Dataset.SUCCESS_FLAG).createNewFile();
    try (BenchStorage opened = storage.open(bench.workDir(), slots)) {
      opened.put(new File(root, "ads"), "root/ads");
      return run(opened);
    }
  }

  private int run(BenchStorage storage) throws Exception {
    Path impressions = storage.path("root/ads/impressions/" + DAY);
    Path metadata = storage.path("root/ads/ad-metadata/" + DAY);
    FileSystem fs = storage.fs();

    // Spark rows, each its own process: sort-merge (the reduce-side join) at Spark's defaults (adaptive execution on:
    // it coalesces partitions and splits skewed ones), the same tuned as nightjar runs (adaptive execution off, one
    // partition a reducer), and broadcast (map-side).
    String[][] sparkRows = {{"spark-sortmerge"}, {"spark-sortmerge-tuned", "--adaptive", "false", "--partitions",
        Integer.toString(reducers)}, {"spark-broadcast", "--broadcast"}};
    List<String> runs = new ArrayList<>(strategies);
    if (spark && SparkRun.available()) {
      for (String[] row : sparkRows) {
        runs.add(row[0]);
      }
    } else {
      System.out.println("no Spark rows: " + (spark ? "bench-spark is not built (mvn -Pbench builds it)" : "--no-spark"));
    }
    int warm = warmup.rounds();
    double[][] all = new double[runs.size()][warm + bench.repeat()];
    String[][] skew = new String[runs.size()][];
    BenchSupport.Digest reference = null;
    BenchSupport.settle(); // the generated input written to disk before the first run
    Map<String, String> settings = set.over(storage.settings());
    for (int r = 0; r < warm + bench.repeat(); r++) { // alternating, so a noisy minute hits every row
      String round = warmup.roundName(r);
      for (int k = 0; k < runs.size(); k++) {
        String run = runs.get(k);
        double[] seconds = all[k];
        Path day;
        if (k < strategies.size()) {
          day = new Path(storage.root(), "ads/bench-" + run + "/" + DAY);
          seconds[r] = run.equals(CRUNCH_SHARDED) // not a strategy of the tool: the benchmark's own
              ? BenchSupport.runMain(bench.workDir(), settings, run + "-" + round,
                  CrunchShardedJoin.class.getName(), List.of(), "--date", DAY, "--reducers", Integer.toString(reducers),
                  "--output", day.toString(), "--impressions", impressions.toString(), "--metadata", metadata.toString())
              : BenchSupport.runTool(bench.workDir(), settings, run + "-" + round, "impressions-join",
                  "--date", DAY, "--strategy", run, "--reducers", Integer.toString(reducers), "--dataset",
                  "bench-" + run);
          JsonNode report;
          try (InputStream in = fs.open(new Path(day, "_skew-report.json"))) {
            report = new ObjectMapper().readTree(in);
          }
          skew[k] = new String[] {report.get("maxRows").asText(),
              String.format("%.2f", report.get("maxOverMean").asDouble()), report.get("metadataRowsShuffled").asText(),
              Integer.toString(report.get("tasks").size())};
        } else {
          day = storage.path("spark/" + run);
          List<String> args = new ArrayList<>(List.of("join", "--impressions", impressions.toString(), "--metadata",
              metadata.toString(), "--output", day.toString(), "--day", DAY));
          String[] options = sparkRows[k - strategies.size()];
          args.addAll(List.of(options).subList(1, options.length));
          seconds[r] = SparkRun.run(bench.workDir(), run + "-" + round, args.toArray(new String[0]));
          skew[k] = new String[] {"-", "-", "-", "-"};
        }
        BenchSupport.Digest digest = BenchSupport.Digest.of(fs, day);
        if (reference == null) {
          reference = digest;
        } else if (!reference.equals(digest)) {
          throw new IllegalStateException(run + " published other rows than " + runs.get(0) + ": " + digest
              + " against " + reference);
        }
        // Every run publishes a first day, and the disk holds one output at a time (a rerun keeps the superseded
        // day: three runs of eight rows at the documented size left 14 GB).
        fs.delete(k < strategies.size() ? day.getParent() : day, true);
        BenchSupport.settle(); // the next run starts without this one's write-back
      }
    }
    double[][] seconds = new double[runs.size()][];
    for (int k = 0; k < runs.size(); k++) {
      seconds[k] = warmup.timed(all[k]);
    }
    System.out.printf("%nimpressions-join, %,d impressions, %,d ads, zipf %.2f, %d reducers, %d local slots, %d runs"
        + " each after %d untimed warm-up round(s), on the %s%n", data.impressions, data.ads, data.zipf, reducers, slots,
        bench.repeat(), warm, storage.label());
    System.out.printf("%-21s %9s %9s %18s %9s %22s %6s  %-20s %s%n", "strategy", "median s", "min s",
        "largest task rows", "max/mean", "metadata rows shuffled", "tasks", "runs (s)", "warm-up (s)");
    for (int k = 0; k < runs.size(); k++) {
      System.out.printf("%-21s %9.1f %9.1f %18s %9s %22s %6s  %-20s %s%n", runs.get(k), BenchSupport.median(seconds[k]),
          BenchSupport.min(seconds[k]), skew[k][0], skew[k][1], skew[k][2], skew[k][3],
          BenchSupport.runs(seconds[k], "%.1f"), BenchSupport.runs(warmup.warmups(all[k]), "%.1f"));
    }
    if (runs.size() > strategies.size()) {
      System.out.println("spark-sortmerge: Spark at its defaults (adaptive execution on, its shuffle partitions); "
          + "spark-sortmerge-tuned: adaptive execution off, " + reducers + " partitions; broadcast joins off but in "
          + "spark-broadcast");
    }
    if (runs.size() > strategies.size()) {
      // nightjar's reduce-side strategies against Spark's sort-merge join (at its defaults and tuned), map-side against
      // broadcast
      for (int k = 0; k < strategies.size(); k++) {
        List<String> baselines = strategies.get(k).equals("mapside") ? List.of("spark-broadcast")
            : List.of("spark-sortmerge", "spark-sortmerge-tuned");
        for (String baseline : baselines) {
          int against = runs.indexOf(baseline);
          String goal = baseline.equals("spark-sortmerge-tuned") ? ""
              : baseline.equals("spark-broadcast") ? "; goal <= 0.7" : "; goal <= 0.6";
          System.out.printf("%s / %s: %.2f (medians), %.2f (mins)%s%n", strategies.get(k), baseline,
              BenchSupport.median(seconds[k]) / BenchSupport.median(seconds[against]),
              BenchSupport.min(seconds[k]) / BenchSupport.min(seconds[against]), goal);
        }
      }
    }
    System.out.printf("all strategies published the same %,d rows (order-independent digest of whole rows)%n",
        reference.count());
    return 0;
  }



}
