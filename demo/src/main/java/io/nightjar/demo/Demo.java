package io.nightjar.demo;

import io.nightjar.avro.ImportFailure;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.common.AvroFiles;
import io.nightjar.common.Dataset;
import io.nightjar.common.S3Access;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.s3import.DocumentUploader;
import io.nightjar.s3server.LoopbackS3;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import picocli.CommandLine;
import software.amazon.awssdk.services.s3.S3Client;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The embedded default: starts an in-process HDFS and a loopback S3 server, seeds them from {@code testdata/}, runs
 * {@code sensor-averages} and {@code s3-import} exactly as {@code hadoop jar} would (same tools, same options;
 * MapReduce in local mode), prints what they published, and copies it to a local folder to look at afterwards.
 */
@Command(name = "nightjar-demo", mixinStandardHelpOptions = true,
    description = "Run nightjar on an in-process HDFS and loopback S3 seeded from testdata/.")
public final class Demo implements Callable<Integer> {

  @Option(names = "--testdata", required = true, description = "The testdata/ folder.")
  private File testdata;

  @Option(names = "--date", defaultValue = "2016-05-01", description = "Day to process (default: ${DEFAULT-VALUE}).")
  private LocalDate date;

  @Option(names = "--copy-to", defaultValue = "nightjar-data",
      description = "Local folder that receives a copy of what was published (default: ${DEFAULT-VALUE}).")
  private File copyTo;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Demo()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
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

      Path readings = Dataset.of(conf, "sensors", "readings").dayPath(date);
      fs.mkdirs(readings);
      for (File file : listFiles(new File(testdata, "sensors/readings/" + date))) {
        fs.copyFromLocalFile(new Path(file.getAbsolutePath()), readings);
      }
      System.out.println("Seeded " + readings + " from " + testdata + "/sensors/readings/" + date);

      String[] job = {"sensor-averages", "--date", date.toString()};
      System.out.println("\n$ hadoop jar nightjar-jobs.jar " + String.join(" ", job)
          + " -D " + Dataset.ROOT_KEY + "=" + conf.get(Dataset.ROOT_KEY));
      int status = Main.run(new Configuration(conf), job);
      if (status != 0) {
        return status;
      }
      Dataset output = Dataset.of(conf, "sensors", "sensor-averages-day");
      printFigures(fs, output.dayPath(date));
      printQuarantine(fs, output.quarantinePath(date));

      status = runS3Import(conf, fs);
      if (status != 0) {
        return status;
      }

      FileUtil.fullyDelete(copyTo);
      FileUtil.copy(fs, new Path("/nightjar"), copyTo, false, conf);
      System.out.println("\nA copy of everything published is in " + copyTo.getAbsolutePath()
          + " (read it with avro-tools tojson, or any Avro reader).");
      return 0;
    } finally {
      cluster.shutdown(true);
      FileUtil.fullyDelete(hdfsDir);
    }
  }

  /** Starts the loopback S3 server, uploads testdata/tracks/documents, and imports them as the dump lists them. */
  private int runS3Import(Configuration conf, FileSystem fs) throws IOException {
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
          + "'analysis'; the dump " + dump + " lists 300 ids (12 without an object, 7 objects corrupt)");
      String[] job = {"s3-import", "-D", "nightjar.quarantine.max-fraction=0.1", "--date", date.toString(),
          "--dump", dump.toString(), "--bucket", "analysis", "--chunks", "2", "--in-flight", "16"};
      System.out.println("\n$ hadoop jar nightjar-jobs.jar " + String.join(" ", job)
          + "    (sample deliberately dirty: quarantine threshold raised to 10%)");
      int status = Main.run(withS3, job);
      if (status == 0) {
        for (int chunk = 0; chunk < 2; chunk++) {
          String name = "chunk-" + chunk + "-of-2/" + date;
          System.out.printf("  chunk %d: %d TrackAnalysis records in %s, %d missing, %d failed%n", chunk,
              read(fs, new Path("/nightjar/tracks/analysis-import/" + name), TrackAnalysis.class).size(),
              new Path("/nightjar/tracks/analysis-import/" + name),
              read(fs, new Path("/nightjar/tracks/analysis-import-missing/" + name), ImportFailure.class).size(),
              read(fs, new Path("/nightjar/tracks/analysis-import-failed/" + name), ImportFailure.class).size());
        }
      }
      return status;
    }
  }

  private static void printFigures(FileSystem fs, Path day) throws IOException {
    List<SensorAggregate> figures = read(fs, day, SensorAggregate.class);
    System.out.println("\nPublished " + day + ":");
    for (FileStatus file : fs.listStatus(day)) {
      System.out.printf("  %-28s %,9d bytes%n", file.getPath().getName(), file.getLen());
    }
    System.out.printf("%n%d SensorAggregate records, for example:%n", figures.size());
    System.out.printf("  %-12s %-20s %6s %9s %9s %9s%n", "sensorId", "periodStart", "count", "min", "max", "mean");
    for (SensorAggregate a : figures.subList(0, Math.min(8, figures.size()))) {
      System.out.printf("  %-12s %-20s %6d %9.3f %9.3f %9.3f%n", a.getSensorId(),
          Instant.ofEpochMilli(a.getPeriodStart()), a.getCount(), a.getMin(), a.getMax(), a.getMean());
    }
  }

  private static void printQuarantine(FileSystem fs, Path day) throws IOException {
    Map<String, Long> byReason = new TreeMap<>();
    Map<String, String> example = new TreeMap<>();
    for (QuarantineRecord record : read(fs, day, QuarantineRecord.class)) {
      byReason.merge(record.getReason(), record.getRecords(), Long::sum);
      example.putIfAbsent(record.getReason(), record.getRaw() + "  (" + record.getDetail() + ")");
    }
    System.out.println("\nQuarantined readings in " + day + ":");
    byReason.forEach((reason, n) -> System.out.printf("  %-22s %3d  e.g. %s%n", reason, n, example.get(reason)));
  }

  private static <T> List<T> read(FileSystem fs, Path dir, Class<T> type) throws IOException {
    return AvroFiles.read(fs, dir, type);
  }

  private static File[] listFiles(File dir) throws IOException {
    File[] files = dir.listFiles(File::isFile);
    if (files == null || files.length == 0) {
      throw new IOException("no test data in " + dir);
    }
    return files;
  }
}
