package io.nightjar.bench;

import io.nightjar.common.Dataset;
import io.nightjar.jobs.Main;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;
import org.codehaus.jackson.JsonNode;
import org.codehaus.jackson.map.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * impressions-join with each strategy on the same Zipf-skewed day (MapReduce in local mode), in one run: wall time,
 * largest reducer input, max/mean reducer input and metadata rows shuffled, read from each run's skew report; checks
 * that every strategy published the same rows (an order-independent digest of whole rows, streamed from the files).
 */
@Command(name = "impressions-join-bench", mixinStandardHelpOptions = true)
public final class ImpressionsJoinBench implements Callable<Integer> {

  private static final String DAY = "2016-05-01";

  @Option(names = "--impressions", defaultValue = "10000000")
  private long impressions;

  @Option(names = "--ads", defaultValue = "10000")
  private int ads;

  @Option(names = "--zipf", defaultValue = "1.1")
  private double zipf;

  @Option(names = "--reducers", defaultValue = "64")
  private int reducers;

  @Option(names = "--slots", defaultValue = "2", description = "Local map and reduce tasks in parallel.")
  private int slots;

  @Option(names = "--strategies", defaultValue = "default,sharded,adaptive,mapside", split = ",")
  private List<String> strategies;

  @Option(names = "--work-dir", defaultValue = "target/impressions-join-bench")
  private File workDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ImpressionsJoinBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    FileUtil.fullyDelete(workDir);
    File root = new File(workDir, "root");
    Configuration conf = BenchSupport.localConf(workDir, slots);
    File metadata = new File(root, "ads/ad-metadata/" + DAY);
    BenchSupport.check(Main.run(conf, "generate-ad-impressions", "--date", DAY, "--impressions", Long.toString(impressions),
        "--ads", Integer.toString(ads), "--zipf", Double.toString(zipf), "--files", "4",
        "--impressions-output", new File(root, "ads/impressions/" + DAY).getAbsolutePath(),
        "--metadata-output", metadata.getAbsolutePath()));
    new File(metadata, Dataset.SUCCESS_FLAG).createNewFile();

    List<String[]> rows = new ArrayList<>();
    BenchSupport.Digest reference = null;
    for (String strategy : strategies) {
      long start = System.nanoTime();
      BenchSupport.check(Main.run(conf, "impressions-join", "--date", DAY, "--strategy", strategy, "--reducers",
          Integer.toString(reducers), "--dataset", "bench-" + strategy));
      double seconds = (System.nanoTime() - start) / 1e9;
      File day = new File(root, "ads/bench-" + strategy + "/" + DAY);
      JsonNode report = new ObjectMapper().readTree(Files.readString(new File(day, "_skew-report.json").toPath()));
      BenchSupport.Digest digest = BenchSupport.Digest.ofFolder(day);
      if (reference == null) {
        reference = digest;
      } else if (!reference.equals(digest)) {
        throw new IllegalStateException(strategy + " published other rows than " + strategies.get(0) + ": " + digest
            + " against " + reference);
      }
      rows.add(new String[] {strategy, String.format("%.1f", seconds), report.get("maxRows").asText(),
          String.format("%.2f", report.get("maxOverMean").asDouble()), report.get("metadataRowsShuffled").asText(),
          Integer.toString(report.get("tasks").size())});
    }
    System.out.printf("%nimpressions-join, %,d impressions, %,d ads, zipf %.2f, %d reducers, %d local slots%n",
        impressions, ads, zipf, reducers, slots);
    System.out.printf("%-10s %9s %18s %14s %22s %7s%n", "strategy", "seconds", "largest task rows", "max/mean",
        "metadata rows shuffled", "tasks");
    for (String[] row : rows) {
      System.out.printf("%-10s %9s %18s %14s %22s %7s%n", (Object[]) row);
    }
    System.out.printf("all strategies published the same %,d rows (order-independent digest of whole rows)%n",
        reference.count());
    return 0;
  }



}
