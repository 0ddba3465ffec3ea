package io.nightjar.demo;

import io.nightjar.common.Dataset;
import io.nightjar.common.S3Access;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.s3import.DocumentUploader;
import io.nightjar.s3server.LoopbackS3;
import io.nightjar.workflows.ChainDiagram;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The embedded default: a whole nightjar day (or {@code --days N}) on an in-process HDFS and a loopback S3 server.
 * The bulk {@code s3-import} of {@code testdata/} runs first (it is started by hand, not by a coordinator); then,
 * each day, the upstream deliveries the coordinators wait for are seeded (day 1 readings from {@code testdata/},
 * the rest generated with fixed seeds) and the daily jobs run in the order their coordinators' datasets impose
 * ({@link ChainDiagram#order}), with the parameters their workflows declare, exactly as {@code hadoop jar} would
 * (same tools, same options; MapReduce in local mode). Prints progress, then a table per published dataset, and
 * copies everything to a local folder to look at afterwards.
 */
@Command(name = "nightjar-demo", mixinStandardHelpOptions = true,
    description = "Run nightjar on an in-process HDFS and loopback S3 seeded from testdata/.")
public final class Demo implements Callable<Integer> {

  @Option(names = "--testdata", required = true, description = "The testdata/ folder.")
  private File testdata;

  @Option(names = "--date", defaultValue = "2016-05-01", description = "Day to process (default: ${DEFAULT-VALUE}).")
  private LocalDate date;

  @Option(names = "--days", defaultValue = "1",
      description = "Consecutive days to run, to watch incrementals, compaction (Sundays) and retention (default: ${DEFAULT-VALUE}).")
  private int days;

  @Option(names = "--apps", defaultValue = "workflows",
      description = "The Oozie apps whose coordinators define the chain (default: ${DEFAULT-VALUE}).")
  private File apps;

  @Option(names = "--copy-to", defaultValue = "nightjar-data",
      description = "Local folder that receives a copy of what was published (default: ${DEFAULT-VALUE}).")
  private File copyTo;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Demo()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(apps);
    List<String> chain = ChainDiagram.order(jobs);
    File hdfsDir = Files.createTempDirectory("nightjar-demo-hdfs").toFile();
    Configuration base = new Configuration();
    base.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, hdfsDir.getAbsolutePath());
    System.out.println("Starting an in-process HDFS ...");
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(base).numDataNodes(1).build();
    try {
      cluster.waitActive();
      FileSystem fs = cluster.getFileSystem();
      Configuration conf = new Configuration(cluster.getConfiguration(0));
      conf.set("mapreduce.framework.name", "local");
      conf.set(Dataset.ROOT_KEY, "/nightjar");
      System.out.println("HDFS at " + fs.getUri() + ", datasets under " + fs.getUri() + "/nightjar");
      System.out.println("Daily chain, ordered by the coordinators in " + apps + "/: " + String.join(" -> ", chain));

      DailyChain run = new DailyChain(fs, conf, testdata, jobs);
      int status = runS3Import(conf, fs, run);
      if (status != 0) {
        return status;
      }
      for (int k = 1; k <= days; k++) {
        LocalDate day = date.plusDays(k - 1);
        System.out.printf("%n=== Day %d of %d: %s (%s) ===%n", k, days, day, day.getDayOfWeek());
        run.seedDeliveries(day, k);
        for (String job : chain) {
          status = run.runJob(job, day, DailyChain.workflowDefaults(apps, job));
          if (status != 0) {
            System.out.println(job + " failed on " + day + " (exit " + status + "); stopping.");
            return status;
          }
        }
      }
      run.printSummary(date.plusDays(days - 1));

      FileUtil.fullyDelete(copyTo);
      FileUtil.copy(fs, new Path("/nightjar"), copyTo, false, conf);
      run.printSkewReport(copyTo, date.plusDays(days - 1));
      System.out.println("\nTo look at any published day, from any Hadoop file system, use show:");
      run.show("sensors/sensor-averages-day", date.plusDays(days - 1));
      System.out.println("\nA copy of everything published is in " + copyTo.getAbsolutePath()
          + "; look at a day there with `hadoop jar nightjar-jobs.jar show <project>/<dataset> --date <day>"
          + " --root file://" + copyTo.getAbsolutePath() + "`.");
      return 0;
    } finally {
      cluster.shutdown(true);
      FileUtil.fullyDelete(hdfsDir);
    }
  }

  /** Starts the loopback S3 server, uploads testdata/tracks/documents, and imports them as the dump lists them. */
  private int runS3Import(Configuration conf, FileSystem fs, DailyChain run) throws IOException {
    System.out.println("\nStarting a loopback S3 server (S3Proxy) ...");
    try (LoopbackS3 s3 = LoopbackS3.start(null)) {
      Configuration withS3 = new Configuration(conf);
      withS3.set(S3Access.ENDPOINT, s3.endpoint());
      withS3.setBoolean(S3Access.PATH_STYLE, true);
      // The local server's fixed test keys, set in memory; on a cluster use a credential provider.
      withS3.set(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY);
      withS3.set(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY);
      int objects;
      try (S3Client client = S3Access.client(withS3, 16)) {
        objects = DocumentUploader.upload(client, "analysis", new File(testdata, "tracks/documents"));
      }
      Path dump = new Path("/nightjar/tracks/metadata-dump/" + date + "/metadata-dump.tsv");
      fs.copyFromLocalFile(new Path(new File(testdata, "tracks/metadata-dump.tsv").getAbsolutePath()), dump);
      System.out.println("S3 at " + s3.endpoint() + ": uploaded " + objects + " analysis documents to bucket "
          + "'analysis'; the dump " + dump + " lists 300 ids (12 without an object, 7 objects damaged: cut off, not "
          + "an object, empty, another track's id, 11 pitches, NaN, a negative duration)");
      String[] job = {"s3-import", "-D", "nightjar.quarantine.max-fraction=0.1", "--date", date.toString(),
          "--dump", dump.toString(), "--bucket", "analysis", "--chunks", "2", "--in-flight", "16"};
      System.out.println("\n$ hadoop jar nightjar-jobs.jar " + String.join(" ", job)
          + "    (sample deliberately dirty: quarantine threshold raised to 10%)");
      long start = System.nanoTime();
      int status = Main.run(withS3, job);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (status == 0) {
        for (String dataset : new String[] {"analysis-import", "analysis-import-missing", "analysis-import-failed"}) {
          for (int chunk = 0; chunk < 2; chunk++) {
            run.record("tracks/" + dataset + "/chunk-" + chunk + "-of-2", date, "s3-import", seconds);
          }
        }
      }
      return status;
    }
  }
}
