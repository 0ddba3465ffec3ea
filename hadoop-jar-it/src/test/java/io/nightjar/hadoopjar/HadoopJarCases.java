package io.nightjar.hadoopjar;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.common.AvroFiles;
import io.nightjar.common.Dataset;
import io.nightjar.common.S3Access;
import io.nightjar.jobs.Main;
import io.nightjar.jobs.s3import.DocumentUploader;
import io.nightjar.s3server.LoopbackS3;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.alias.CredentialProvider;
import org.apache.hadoop.security.alias.CredentialProviderFactory;
import org.junit.AfterClass;
import org.junit.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What every supported Hadoop version must do with the shaded job jar, submitted as {@code hadoop jar} does it (see
 * {@link SingleNodeHadoop}): sensor-averages and impressions-join (a reduce-side join of Avro pairs) publish the same
 * records as a local-mode run of the same tools on the same input, in standard Avro files with nightjar's own schemas,
 * a failure ends as one line on stderr and exit 1 ({@link #checkS3Import} adds s3-import on one version). One
 * subclass per version starts its cluster once.
 */
public abstract class HadoopJarCases {

  private static final String DAY = "2016-05-01";
  private static final File JOB_JAR = new File(System.getProperty("nightjar.jobJar"));
  private static final File TESTDATA = new File(System.getProperty("nightjar.testdata"));

  protected static SingleNodeHadoop cluster;

  @AfterClass
  public static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  @Test
  public void sensorAveragesPublishesWhatLocalModeComputes() throws Exception {
    File local = localRoot("sensors");
    File readings = new File(TESTDATA, "sensors/readings/" + DAY + "/readings.csv");
    Path input = new Path("/data/sensors/readings/" + DAY);
    cluster.fs().mkdirs(input);
    cluster.fs().copyFromLocalFile(new Path(readings.getAbsolutePath()), input);
    Files.createDirectories(Paths.get(local.getPath(), "sensors/readings", DAY));
    Files.copy(readings.toPath(), Paths.get(local.getPath(), "sensors/readings", DAY, "readings.csv"));

    SingleNodeHadoop.Run run = cluster.hadoopJar(JOB_JAR, "sensor-averages",
        "-D", "mapreduce.job.reduces=2", "--root", cluster.hdfs() + "/data", "--date", DAY);
    assertRanOnYarn(run);
    assertEquals(0, Main.run(localConf(), "sensor-averages", "--root", local.getPath(), "--date", DAY));

    String dataset = "sensors/sensor-averages-day/";
    assertPublishedAsLocally(dataset, local, SensorAggregate.getClassSchema(), 24);
  }

  @Test
  public void impressionsJoinPublishesWhatLocalModeComputes() throws Exception {
    File local = localRoot("ads");
    assertEquals(0, Main.run(localConf(), "generate-ad-impressions", "--date", DAY, "--impressions", "20000",
        "--ads", "200", "--zipf", "1.1", "--bad-impressions", "5", "--files", "2",
        "--impressions-output", local + "/ads/impressions/" + DAY,
        "--metadata-output", local + "/ads/ad-metadata/" + DAY));
    assertTrue("the generator flags its deliveries", Files.exists(Paths.get(local.getPath(), "ads/impressions", DAY,
        Dataset.SUCCESS_FLAG)));
    cluster.fs().copyFromLocalFile(new Path(local.getAbsolutePath(), "ads"), new Path("/data/ads"));

    SingleNodeHadoop.Run run = cluster.hadoopJar(JOB_JAR, "impressions-join",
        "--root", cluster.hdfs() + "/data", "--date", DAY, "--strategy", "default", "--reducers", "2");
    assertRanOnYarn(run);
    assertEquals(0, Main.run(localConf(), "impressions-join", "--root", local.getPath(), "--date", DAY,
        "--strategy", "default", "--reducers", "2"));

    assertPublishedAsLocally("ads/enriched-impressions/", local, EnrichedImpression.getClassSchema(), 20000);
  }

  /**
   * s3-import on the cluster against a loopback S3 server, its keys in a credential store, compared with local mode.
   * Run on one version only ({@link HadoopJar343IT}): it adds about a minute, and the AWS SDK inside the jar meets no
   * other SDK on any version's default classpath.
   */
  protected static void checkS3Import() throws Exception {
    File documents = new File(TESTDATA, "tracks/documents");
    File dump = new File(TESTDATA, "tracks/metadata-dump.tsv");
    File local = localRoot("tracks");
    try (LoopbackS3 s3 = LoopbackS3.start(null)) {
      Configuration s3Conf = new Configuration();
      s3Conf.set(S3Access.ENDPOINT, s3.endpoint());
      s3Conf.setBoolean(S3Access.PATH_STYLE, true);
      s3Conf.set(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY);
      s3Conf.set(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY);
      try (S3Client client = S3Access.client(s3Conf, 16)) {
        DocumentUploader.upload(client, "analysis", documents);
      }
      // The keys live in a credential store, as the README says, never on the command line.
      File store = new File(local, "s3.jceks");
      String provider = "localjceks://file" + store.getAbsolutePath();
      Configuration storeConf = new Configuration(false);
      storeConf.set(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH, provider);
      CredentialProvider credentials = CredentialProviderFactory.getProviders(storeConf).get(0);
      credentials.createCredentialEntry(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY.toCharArray());
      credentials.createCredentialEntry(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY.toCharArray());
      credentials.flush();
      cluster.fs().copyFromLocalFile(new Path(dump.getAbsolutePath()), new Path("/data/dumps/" + DAY + "/dump.tsv"));

      SingleNodeHadoop.Run run = cluster.hadoopJar(JOB_JAR, "s3-import",
          "-D", CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH + "=" + provider,
          "-D", S3Access.ENDPOINT + "=" + s3.endpoint(), "-D", S3Access.PATH_STYLE + "=true",
          "-D", "nightjar.quarantine.max-fraction=0.1",
          "--root", cluster.hdfs() + "/data", "--date", DAY, "--dump", cluster.hdfs() + "/data/dumps/" + DAY
              + "/dump.tsv", "--bucket", "analysis");
      assertRanOnYarn(run);
      assertFalse("no key in the client's output", (run.stdout + run.stderr).contains(LoopbackS3.SECRET_KEY));
      assertEquals(0, Main.run(withS3(localConf(), s3Conf), "s3-import", "-D", "nightjar.quarantine.max-fraction=0.1",
          "--root", local.getPath(), "--date", DAY, "--dump", dump.getAbsolutePath(), "--bucket", "analysis"));
    }
    FileSystem localFs = FileSystem.getLocal(new Configuration());
    String dataset = "tracks/analysis-import/chunk-0-of-1/" + DAY;
    List<String> imported = canonical(AvroFiles.readGeneric(cluster.fs(), new Path("/data/" + dataset)));
    assertTrue(imported.size() > 200);
    assertEquals(canonical(AvroFiles.readGeneric(localFs, new Path(local.getAbsolutePath(), dataset))), imported);
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

  /** The cluster's day equals the local run's: same records (doubles to 12 digits), same quarantine count. */
  private static void assertPublishedAsLocally(String dataset, File localRoot, Schema schema, int expectedRecords)
      throws IOException {
    FileSystem hdfs = cluster.fs();
    FileSystem localFs = FileSystem.getLocal(new Configuration());
    Path onCluster = new Path("/data/" + dataset + DAY);
    Path locally = new Path(localRoot.getAbsolutePath(), dataset + DAY);
    assertTrue(hdfs.exists(new Path(onCluster, Dataset.SUCCESS_FLAG)));

    List<String> published = canonical(AvroFiles.readGeneric(hdfs, onCluster));
    assertEquals(expectedRecords, published.size());
    assertEquals(canonical(AvroFiles.readGeneric(localFs, locally)), published);
    assertEquals(AvroFiles.count(localFs, new Path(locally.getParent(), Dataset.QUARANTINE_DIR + "/" + DAY)),
        AvroFiles.count(hdfs, new Path(onCluster.getParent(), Dataset.QUARANTINE_DIR + "/" + DAY)));

    // Standard Avro: the writer schema in every file is nightjar's own, no relocated name anywhere.
    for (FileStatus file : hdfs.listStatus(onCluster, path -> path.getName().endsWith(".avro"))) {
      try (InputStream in = hdfs.open(file.getPath());
          DataFileStream<GenericRecord> reader = new DataFileStream<>(in, new GenericDatumReader<>())) {
        assertEquals(schema, reader.getSchema());
        assertFalse(reader.getSchema().toString().contains("shaded"));
      }
    }
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
    return conf;
  }

  private static File localRoot(String name) throws IOException {
    return Files.createTempDirectory(Paths.get("target").toAbsolutePath(), "local-" + name + "-").toFile();
  }
}
