package io.nightjar.demo;

import io.nightjar.workflows.ChainDiagram;
import io.nightjar.workflows.OozieApp;
import java.io.File;
import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The embedded default: nightjar's days ({@code --days N}, 2 by default) on an in-process HDFS and a loopback S3
 * server. The bulk import of {@code testdata/}'s documents runs first and is promoted into the first full analysis
 * snapshot (as the analysis-bulk-import workflow, started by hand); then, each day, the upstream deliveries the
 * coordinators wait for are seeded (day 1 readings from {@code testdata/}, the rest generated with fixed seeds; from
 * day 2 new documents uploaded to S3 and listed by a growing metadata dump) and the daily jobs run in the order their
 * coordinators' datasets impose
 * ({@link ChainDiagram#order}), with the parameters their workflows declare, exactly as {@code hadoop jar} would:
 * same tools, same options, the shipped {@code nightjar-jobs.jar} on Hadoop's own jars ({@link ShippedJar}); MapReduce
 * in local mode. Prints progress, then a table per published dataset, and
 * copies everything to a local folder to look at afterwards.
 */
@Command(name = "nightjar-demo", mixinStandardHelpOptions = true,
    description = "Run nightjar on an in-process HDFS and loopback S3 seeded from testdata/.")
public final class Demo implements Callable<Integer> {

  @Mixin
  private final ChainOptions options = new ChainOptions();

  @Option(names = "--date", defaultValue = "2016-05-01", description = "Day to process (default: ${DEFAULT-VALUE}).")
  private LocalDate date;

  @Option(names = "--days", defaultValue = "2",
      description = "Consecutive days to run, to watch incrementals, compaction (Sundays) and retention (default: ${DEFAULT-VALUE}).")
  private int days;

  @Option(names = "--copy-to", defaultValue = "nightjar-data",
      description = "Local folder that receives a copy of what was published (default: ${DEFAULT-VALUE}).")
  private File copyTo;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Demo()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(options.apps);
    List<String> chain = ChainDiagram.order(jobs);
    System.out.println("Starting an in-process HDFS and a loopback S3 server (S3Proxy) ...");
    try (DemoCluster cluster = DemoCluster.start("nightjar-demo-hdfs");
        ShippedJar shipped = ShippedJar.open(options.jobJar, options.testKitJar, options.hadoopJars, cluster.conf)) {
      FileSystem fs = cluster.fs;
      Configuration conf = cluster.conf;
      System.out.println("Every tool runs from " + shipped.describe());
      System.out.println("HDFS at " + fs.getUri() + ", datasets under " + fs.getUri() + "/nightjar");
      System.out.println("S3 at " + cluster.s3().endpoint());
      System.out.println("Daily chain, ordered by the coordinators in " + options.apps + "/: " + String.join(" -> ", chain));
      DailyChain run = new DailyChain(fs, conf, options.testdata, jobs).runningTools(shipped, shipped.testKit());
      System.out.printf("%n=== The bulk import (analysis-bulk-import, started by hand): %s ===%n", date);
      int status = run.bulkImport(date);
      if (status != 0) {
        return status;
      }
      for (int k = 1; k <= days; k++) {
        LocalDate day = date.plusDays(k - 1);
        System.out.printf("%n=== Day %d of %d: %s (%s) ===%n", k, days, day, day.getDayOfWeek());
        run.seedDeliveries(day);
        for (String job : chain) {
          status = run.runJob(job, day, OozieApp.of(options.apps, job).defaults());
          if (status != 0) {
            System.out.println(job + " failed on " + day + " (exit " + status + "); stopping.");
            return status;
          }
        }
      }
      finish(run, fs, conf);
      return 0;
    }
  }

  private void finish(DailyChain run, FileSystem fs, Configuration conf) throws IOException {
    run.printSummary(date.plusDays(days - 1));

    FileUtil.fullyDelete(copyTo);
    FileUtil.copy(fs, new Path("/nightjar"), copyTo, false, conf);
    run.printSkewReport(copyTo, date.plusDays(days - 1));
    System.out.println("\nEvery dataset's days at a glance, from the manifests in _SUCCESS:");
    File picture = new File(copyTo, "status.svg");
    run.status(date.plusDays(days - 1), days, picture);
    System.out.println("The same as a picture: " + picture.getAbsolutePath());
    System.out.println("\nTo look at any published day, from any Hadoop file system, use show:");
    run.show("sensors/sensor-averages-day", date.plusDays(days - 1));
    System.out.println("\nA copy of everything published is in " + copyTo.getAbsolutePath()
        + "; look at a day there with `hadoop jar nightjar-jobs.jar show <project>/<dataset> --date <day>"
        + " --root file://" + copyTo.getAbsolutePath() + "`.");
  }
}
