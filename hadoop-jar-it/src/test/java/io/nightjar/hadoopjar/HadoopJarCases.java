package io.nightjar.hadoopjar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.s3.S3Access;
import io.nightjar.demo.DailyChain;
import io.nightjar.jobs.Main;
import io.nightjar.s3server.LoopbackS3;
import io.nightjar.testkit.local.LocalSpeed;
import io.nightjar.workflows.ChainDiagram;
import io.nightjar.workflows.OozieApp;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.alias.CredentialProvider;
import org.apache.hadoop.security.alias.CredentialProviderFactory;
import org.junit.AfterClass;
import org.junit.Test;

/**
 * What every supported Hadoop version must do with the shaded job jar, submitted as {@code hadoop jar} does it (see
 * {@link SingleNodeHadoop}), compared with a local-mode run of the same tools (nightjar's module classes) on the same
 * input: sensor-averages and impressions-join (a reduce-side join of Avro pairs) publish the same records; the tracks
 * chain (upload-documents, the bulk import's s3-import chunks and promote-import, then per day the daily s3-import and
 * tracks-daily's analysis-compact, attributes-daily and analysis-retire, and show) publishes the same attributes and
 * analysis, its S3 keys from a credential store; a failure ends as one line on stderr and exit 1. Every tool of the
 * jar runs on every version; each version adds some of impressions-join's strategies (3.4.3 also sensor-averages'
 * plain MapReduce engine and {@code --dates}), and 3.4.3 runs the tracks chain for two days through a Sunday
 * compaction (the others run its bulk day, a Sunday too, in one chunk). One subclass per version starts its cluster
 * once.
 */
public abstract class HadoopJarCases {

  private static final String DAY = "2016-05-01";
  private static final File JOB_JAR = new File(System.getProperty("nightjar.jobJar"));
  private static final File TESTKIT_JAR = new File(System.getProperty("nightjar.testkitJar"));
  private static final File TESTDATA = new File(System.getProperty("nightjar.testdata"));
  private static final File APPS = new File(System.getProperty("nightjar.workflows"));

  protected static SingleNodeHadoop cluster;
  /** The generated impressions and metadata of {@link #DAY}, under {@code ads/}, made once per class. */
  private static File adsInput;

  @AfterClass
  public static void stopCluster() throws Exception {
    adsInput = null;
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  /** The day the tracks chain's bulk import runs, and the days it then runs from there (the bulk day first). */
  protected LocalDate tracksBulkDay() {
    return LocalDate.parse(DAY); // a Sunday: tracks-daily compacts (nothing to merge) on the bulk day itself
  }

  protected int tracksDays() {
    return 1;
  }

  /** Chunks of the tracks chain's bulk import. */
  protected int tracksBulkChunks() {
    return 1;
  }

  @Test
  public void sensorAveragesPublishesWhatLocalModeComputes() throws Exception {
    checkSensorAverages("sensors-crunch", List.of("sensors/sensor-averages-day/" + DAY), 24,
        "-D", "mapreduce.job.reduces=2", "--date", DAY);
  }

  /**
   * sensor-averages with {@code options} on the cluster (root {@code /<name>}) and in local mode, each root holding
   * the sample readings of {@link #DAY}: every day of {@code published} must hold the same records, together
   * {@code expectedRecords}.
   */
  protected static void checkSensorAverages(String name, List<String> published, int expectedRecords,
      String... options) throws Exception {
    File local = localRoot(name);
    File readings = new File(TESTDATA, "sensors/readings/" + DAY + "/readings.csv");
    Files.createDirectories(Paths.get(local.getPath(), "sensors/readings", DAY));
    Files.copy(readings.toPath(), Paths.get(local.getPath(), "sensors/readings", DAY, "readings.csv"));
    cluster.fs().copyFromLocalFile(new Path(local.getAbsolutePath(), "sensors"), new Path("/" + name + "/sensors"));
    checkBoth(name, local, "sensor-averages", options);
    int records = 0;
    for (String day : published) {
      records += assertPublishedAsLocally(name, day, local, SensorAggregate.getClassSchema());
    }
    assertEquals(expectedRecords, records);
  }

  /** impressions-join with {@code strategy} on the cluster against the local default strategy on the same input. */
  protected static void checkImpressionsJoin(String strategy) throws Exception {
    String name = "ads-" + strategy;
    File local = localRoot(name);
    if (adsInput == null) {
      adsInput = localRoot("ads-input");
      assertEquals(0, io.nightjar.testkit.Main.run(localConf(), "generate-ad-impressions", "--date", DAY, "--impressions", "20000",
          "--ads", "200", "--zipf", "1.1", "--bad-impressions", "5", "--files", "2",
          "--impressions-output", adsInput + "/ads/impressions/" + DAY,
          "--metadata-output", adsInput + "/ads/ad-metadata/" + DAY));
      assertTrue("the generator flags its deliveries", Files.exists(Paths.get(adsInput.getPath(), "ads/impressions",
          DAY, Dataset.SUCCESS_FLAG)));
    }
    FileSystem localFs = FileSystem.getLocal(new Configuration());
    FileUtil.copy(localFs, new Path(adsInput.getAbsolutePath(), "ads"), localFs, new Path(local.getAbsolutePath(), "ads"),
        false, new Configuration());
    cluster.fs().copyFromLocalFile(new Path(local.getAbsolutePath(), "ads"), new Path("/" + name + "/ads"));
    SingleNodeHadoop.Run run = cluster.hadoopJar(JOB_JAR, "impressions-join", "--root", cluster.hdfs() + "/" + name,
        "--date", DAY, "--strategy", strategy, "--reducers", "2");
    assertRanOnYarn(run);
    assertEquals(0, Main.run(localConf(), "impressions-join", "--root", local.getPath(), "--date", DAY,
        "--strategy", "default", "--reducers", "2"));
    assertEquals(20000, assertPublishedAsLocally(name, "ads/enriched-impressions/" + DAY, local,
        EnrichedImpression.getClassSchema()));
  }

  /**
   * {@code tool options...} on the cluster (root {@code /<name>}) and in local mode (root {@code local}); an option's
   * {@code {root}} stands for the side's root.
   */
  private static void checkBoth(String name, File local, String tool, String... options) throws Exception {
    List<String> onCluster = new ArrayList<>(List.of(tool));
    List<String> locally = new ArrayList<>(List.of(tool));
    for (String option : options) {
      onCluster.add(option.replace("{root}", cluster.hdfs() + "/" + name));
      locally.add(option.replace("{root}", "file://" + local.getAbsolutePath()));
    }
    // After the options: generic -D options must come first.
    onCluster.addAll(List.of("--root", cluster.hdfs() + "/" + name));
    locally.addAll(List.of("--root", local.getPath()));
    assertRanOnYarn(cluster.hadoopJar(JOB_JAR, onCluster.toArray(new String[0])));
    assertEquals(0, Main.run(localConf(), locally.toArray(new String[0])));
  }

  /**
   * The tracks chain as the demo runs it ({@link DailyChain}: the bulk import in {@link #tracksBulkChunks} chunks
   * promoted into the first full snapshot, then per day the new documents, the daily import and tracks-daily), once with every tool run by
   * {@code hadoop jar} on the cluster and once in local mode, over the same loopback S3 server; every day's
   * attributes, and the analysis snapshots left after retention, must be equal. Runs upload-documents and show too.
   */
  @Test
  public void theTracksChainPublishesWhatLocalModeComputes() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(APPS);
    File local = localRoot("tracks");
    String root = cluster.hdfs() + "/tracks";
    try (LoopbackS3 s3 = LoopbackS3.start(null)) {
      Configuration s3Conf = new Configuration(false);
      s3Conf.set(S3Access.ENDPOINT, s3.endpoint());
      s3Conf.setBoolean(S3Access.PATH_STYLE, true);
      s3Conf.set(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY);
      s3Conf.set(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY);
      // On the cluster the keys live in a credential store, as docs/running.md says, never on the command line.
      File store = new File(local, "s3.jceks");
      String provider = "localjceks://file" + store.getAbsolutePath();
      Configuration storeConf = new Configuration(false);
      storeConf.set(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH, provider);
      CredentialProvider credentials = CredentialProviderFactory.getProviders(storeConf).get(0);
      credentials.createCredentialEntry(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY.toCharArray());
      credentials.createCredentialEntry(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY.toCharArray());
      credentials.flush();
      ClusterTools onCluster = new ClusterTools("-D", Dataset.ROOT_KEY + "=" + root,
          "-D", CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH + "=" + provider,
          "-D", S3Access.ENDPOINT + "=" + s3.endpoint(), "-D", S3Access.PATH_STYLE + "=true");

      // The test kit's tool, from its jar beside the shipped job jar (HADOOP_CLASSPATH).
      assertEquals(0, onCluster.testKit("upload-documents", "--from",
          new File(TESTDATA, "tracks/documents").getAbsolutePath(), "--bucket", DailyChain.BUCKET));
      Configuration clusterConf = withS3(new Configuration(), s3Conf);
      clusterConf.set("fs.defaultFS", cluster.hdfs());
      clusterConf.set(Dataset.ROOT_KEY, root);
      DailyChain clusterChain = new DailyChain(cluster.fs(), clusterConf, TESTDATA, jobs).runningTools(onCluster);
      Configuration localConf = withS3(localConf(), s3Conf);
      localConf.set(Dataset.ROOT_KEY, "file://" + new File(local, "data").getAbsolutePath());
      FileSystem localFs = FileSystem.getLocal(localConf);
      DailyChain localChain = new DailyChain(localFs, localConf, TESTDATA, jobs);

      LocalDate bulkDay = tracksBulkDay();
      assertEquals(0, localChain.bulkImport(bulkDay, tracksBulkChunks()));
      assertEquals(0, clusterChain.bulkImport(bulkDay, tracksBulkChunks()));
      for (int k = 0; k < tracksDays(); k++) {
        LocalDate day = bulkDay.plusDays(k);
        for (DailyChain chain : List.of(localChain, clusterChain)) {
          chain.deliverDocuments(day);
          for (String job : new String[] {"analysis-import", "tracks-daily"}) {
            assertEquals(job + " " + day, 0, chain.runJob(job, day, OozieApp.of(APPS, job).defaults()));
          }
        }
        List<String> attributes = canonical(AvroFiles.readGeneric(cluster.fs(),
            clusterChain.path("tracks/attributes", day)));
        assertTrue(day + ": " + attributes.size() + " tracks", attributes.size() > 250);
        assertEquals("attributes of " + day, canonical(AvroFiles.readGeneric(localFs,
            localChain.path("tracks/attributes", day))), attributes);
      }
      for (String kind : new String[] {"full", "incremental"}) {
        assertEquals("analysis " + kind + " kept", days(localFs, localChain.path("tracks/analysis/" + kind,
            bulkDay).getParent()), days(cluster.fs(), clusterChain.path("tracks/analysis/" + kind, bulkDay).getParent()));
      }
      LocalDate last = bulkDay.plusDays(tracksDays() - 1);
      List<String> full = days(cluster.fs(), clusterChain.path("tracks/analysis/full", bulkDay).getParent());
      LocalDate latestFull = LocalDate.parse(full.get(full.size() - 1));
      assertEquals(canonical(AvroFiles.readGeneric(localFs, localChain.path("tracks/analysis/full", latestFull))),
          canonical(AvroFiles.readGeneric(cluster.fs(), clusterChain.path("tracks/analysis/full", latestFull))));

      SingleNodeHadoop.Run show = cluster.hadoopJar(JOB_JAR, "show", "tracks/attributes", "--root", root,
          "--date", last.toString(), "--records", "1");
      assertEquals(show.toString(), 0, show.exitCode);
      long tracks = AvroFiles.count(cluster.fs(), clusterChain.path("tracks/attributes", last));
      assertTrue(show.toString(), show.stdout.contains(String.format("records: %,d in", tracks)));
      for (SingleNodeHadoop.Run run : onCluster.runs) {
        assertFalse("no key in the client's output", (run.stdout + run.stderr).contains(LoopbackS3.SECRET_KEY));
      }
    }
  }

  /** The published day folders under {@code dataset}, in order (none when it does not exist). */
  private static List<String> days(FileSystem fs, Path dataset) throws IOException {
    List<String> days = new ArrayList<>();
    if (!fs.exists(dataset)) {
      return days;
    }
    for (FileStatus day : fs.listStatus(dataset, path -> path.getName().matches("\\d{4}-\\d{2}-\\d{2}"))) {
      if (fs.exists(new Path(day.getPath(), Dataset.SUCCESS_FLAG))) {
        days.add(day.getPath().getName());
      }
    }
    days.sort(null);
    return days;
  }

  /**
   * The demo's tool runner, but {@code hadoop jar} on the cluster: {@code settings} (generic -D options: the root,
   * the S3 server, the credential store) go after the tool's name; each run is kept, and a run that submitted a job
   * must have submitted it to YARN.
   */
  private static final class ClusterTools implements ToIntFunction<String[]> {
    final List<SingleNodeHadoop.Run> runs = new ArrayList<>();
    private final List<String> settings;

    ClusterTools(String... settings) {
      this.settings = List.of(settings);
    }

    @Override
    public int applyAsInt(String[] args) {
      return run(null, JOB_JAR, args);
    }

    /** {@code HADOOP_CLASSPATH=nightjar-jobs.jar hadoop jar nightjar-testkit.jar args...}. */
    int testKit(String... args) {
      return run(JOB_JAR, TESTKIT_JAR, args);
    }

    private int run(File hadoopClasspath, File jar, String[] args) {
      List<String> command = new ArrayList<>(List.of(args[0]));
      command.addAll(settings);
      command.addAll(List.of(args).subList(1, args.length));
      SingleNodeHadoop.Run run;
      try {
        run = cluster.hadoopJar(hadoopClasspath, jar, command.toArray(new String[0]));
      } catch (Exception e) {
        throw new IllegalStateException("hadoop jar " + String.join(" ", args) + ": " + e, e);
      }
      runs.add(run);
      System.out.println("  on the cluster: exit " + run.exitCode + ", " + run.lastErrorLine());
      assertFalse("no job in local mode: " + run, run.stderr.contains("job_local"));
      assertEquals("hadoop jar " + String.join(" ", args) + ": " + run, 0, run.exitCode);
      return run.exitCode;
    }
  }

  private static Configuration withS3(Configuration conf, Configuration s3) {
    for (String key : new String[] {S3Access.ENDPOINT, S3Access.PATH_STYLE, S3Access.ACCESS_KEY,
        S3Access.SECRET_KEY}) {
      conf.set(key, s3.get(key));
    }
    return conf;
  }

  @Test
  public void aFailureIsOneLineOnStderrAndExitOne() throws Exception {
    SingleNodeHadoop.Run run = cluster.hadoopJar(JOB_JAR, "sensor-averages",
        "--root", cluster.hdfs() + "/data", "--date", "2016-05-02");
    assertEquals(run.toString(), 1, run.exitCode);
    assertTrue(run.toString(), run.lastErrorLine().startsWith("sensor-averages failed: "));
    assertFalse("a reason, not a stack trace: " + run, run.stderr.contains("\tat "));
  }

  private static void assertRanOnYarn(SingleNodeHadoop.Run run) {
    assertEquals(run.toString(), 0, run.exitCode);
    assertTrue("submitted to YARN: " + run, run.stderr.contains("Submitted application application_"));
    assertFalse("no job in local mode: " + run, run.stderr.contains("job_local"));
  }

  /**
   * The cluster's day ({@code /<name>/<dataset/day>}) equals the local run's: same records (doubles to 12 digits),
   * same quarantine count, nightjar's own schema in every file. Returns the number of records.
   */
  private static int assertPublishedAsLocally(String name, String datasetDay, File localRoot, Schema schema)
      throws IOException {
    FileSystem hdfs = cluster.fs();
    FileSystem localFs = FileSystem.getLocal(new Configuration());
    Path onCluster = new Path("/" + name + "/" + datasetDay);
    Path locally = new Path(localRoot.getAbsolutePath(), datasetDay);
    String day = onCluster.getName();
    assertTrue(onCluster + " published", hdfs.exists(new Path(onCluster, Dataset.SUCCESS_FLAG)));

    List<String> published = canonical(AvroFiles.readGeneric(hdfs, onCluster));
    assertEquals(canonical(AvroFiles.readGeneric(localFs, locally)), published);
    Path localQuarantine = new Path(locally.getParent(), Dataset.QUARANTINE_DIR + "/" + day);
    Path clusterQuarantine = new Path(onCluster.getParent(), Dataset.QUARANTINE_DIR + "/" + day);
    assertEquals(localFs.exists(localQuarantine) ? AvroFiles.count(localFs, localQuarantine) : 0,
        hdfs.exists(clusterQuarantine) ? AvroFiles.count(hdfs, clusterQuarantine) : 0);

    // Standard Avro: the writer schema in every file is nightjar's own, no relocated name anywhere.
    for (FileStatus file : hdfs.listStatus(onCluster, path -> path.getName().endsWith(".avro"))) {
      try (InputStream in = hdfs.open(file.getPath());
          DataFileStream<GenericRecord> reader = new DataFileStream<>(in, new GenericDatumReader<>())) {
        assertEquals(schema, reader.getSchema());
        assertFalse(reader.getSchema().toString().contains("shaded"));
      }
    }
    return published.size();
  }

  private static List<String> canonical(List<GenericRecord> records) {
    List<String> rendered = new ArrayList<>();
    for (GenericRecord record : records) {
      StringBuilder line = new StringBuilder();
      for (Schema.Field field : record.getSchema().getFields()) {
        Object value = record.get(field.pos());
        line.append(field.name()).append('=')
            .append(value instanceof Double ? String.format(Locale.ROOT, "%.12g", value) : String.valueOf(value))
            .append(' ');
      }
      rendered.add(line.toString());
    }
    rendered.sort(null);
    return rendered;
  }

  private static Configuration localConf() {
    Configuration conf = new Configuration();
    conf.set("fs.defaultFS", "file:///");
    conf.set("mapreduce.framework.name", "local");
    return LocalSpeed.apply(conf);
  }

  private static File localRoot(String name) throws IOException {
    return Files.createTempDirectory(Paths.get("target").toAbsolutePath(), "local-" + name + "-").toFile();
  }
}
