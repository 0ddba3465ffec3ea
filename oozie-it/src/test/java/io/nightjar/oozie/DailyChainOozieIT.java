package io.nightjar.oozie;

import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.s3.S3Access;
import io.nightjar.demo.DailyChain;
import io.nightjar.s3server.LoopbackS3;
import io.nightjar.workflows.ChainDiagram;
import io.nightjar.workflows.OozieApp;
import java.io.File;
import java.security.PrivilegedExceptionAction;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.security.alias.CredentialProvider;
import org.apache.hadoop.security.alias.CredentialProviderFactory;
import org.apache.oozie.client.BundleJob;
import org.apache.oozie.client.CoordinatorJob;
import org.apache.oozie.client.Job;
import org.apache.oozie.client.OozieClient;
import org.apache.oozie.client.WorkflowJob;
import org.apache.oozie.local.LocalOozie;

/**
 * The whole daily chain twice over the same upstream deliveries and the same loopback S3 server: once as the demo runs
 * it (the tools called directly, in the coordinators' order, MapReduce in local mode) and once on the Oozie engine
 * (the analysis-bulk-import workflow the day before; then bundle → coordinators waiting for {@code _SUCCESS} →
 * workflows → java actions on YARN, S3 keys from a credential store). Both must publish the same records, the same
 * quarantine and a {@code _SUCCESS} for every dataset the coordinators declare as output, the day's analysis
 * incremental among them.
 */
public class DailyChainOozieIT extends NightjarOozieTestCase {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");

  private LoopbackS3 s3;
  private String credentialStore;

  @Override
  protected void setUp() throws Exception {
    super.setUp();
    s3 = LoopbackS3.start(null);
    // The loopback server's test keys in a credential store, as on a cluster: never in job.properties.
    File store = new File(getTestCaseDir(), "s3.jceks");
    credentialStore = "localjceks://file" + store.getAbsolutePath();
    Configuration storeConf = new Configuration(false);
    storeConf.set(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH, credentialStore);
    CredentialProvider credentials = CredentialProviderFactory.getProviders(storeConf).get(0);
    credentials.createCredentialEntry(S3Access.ACCESS_KEY, LoopbackS3.ACCESS_KEY.toCharArray());
    credentials.createCredentialEntry(S3Access.SECRET_KEY, LoopbackS3.SECRET_KEY.toCharArray());
    credentials.flush();
  }

  @Override
  protected void tearDown() throws Exception {
    if (s3 != null) {
      s3.close();
    }
    super.tearDown();
  }

  public void testBundlePublishesWhatTheDemoPublishes() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(OOZIE_APPS);
    Path directRoot = new Path(getFsTestCaseDir(), "data/direct");
    DailyChain direct = chain(directRoot.toString(), jobs);
    DailyChain scheduled = chain(nightjarRoot.toString(), jobs);

    // The day before: the bulk import, directly, and as the analysis-bulk-import workflow (chunk after chunk as
    // sub-workflows, then the promotion), into the first full analysis snapshot. Chunk 0 is published already, as
    // when a first run of the workflow failed after it: the workflow skips it and imports chunk 1 only.
    LocalDate bulkDay = DAY.minusDays(1);
    assertEquals(0, direct.bulkImport(bulkDay));
    Path dump = scheduled.deliverBulkDump(bulkDay);
    // As the user the workflows run as: run as the JVM's user, chunk 0 left tracks/analysis-import-missing owned by
    // that user, mode 755, and the workflow's chunk 1 could not publish its list under it (Crunch's output move failed).
    assertEquals(0, (int) UserGroupInformation.createRemoteUser(getTestUser()).doAs(
        (PrivilegedExceptionAction<Integer>) () -> scheduled.importChunk(bulkDay, 0)));
    OozieClient workflows = LocalOozie.getClient();
    Properties bulk = s3Properties(appProperties("analysis-bulk-import/job.properties",
        OozieClient.APP_PATH, appPath("analysis-bulk-import"), "date", bulkDay.toString(),
        "dump", fs.makeQualified(dump).toString(), "chunks", "2"));
    String bulkId = workflows.run(bulk);
    WorkflowJob.Status bulkStatus = waitForWorkflow(workflows, bulkId, 600_000);
    String chunk0 = describe(workflows, bulkId);
    assertEquals(chunk0, WorkflowJob.Status.SUCCEEDED, bulkStatus);
    List<String> actions = actions(workflows, bulkId);
    assertFalse("chunk 0 was published: skipped\n" + chunk0, actions.toString().contains("s3-import-chunk"));
    assertTrue("chunk 1 as a sub-workflow\n" + chunk0, actions.contains("import-next-chunk OK"));
    String full = "tracks/analysis/full";
    assertEquals("the bulk import workflow publishes the full the direct run does",
        PublishedRecords.sorted(fs, direct.path(full, bulkDay)), PublishedRecords.sorted(fs, scheduled.path(full,
        bulkDay)));

    direct.seedDeliveries(DAY);
    scheduled.seedDeliveries(DAY);

    for (String job : ChainDiagram.order(jobs)) {
      assertEquals(job, 0, direct.runJob(job, DAY, OozieApp.of(OOZIE_APPS, job).defaults()));
    }

    OozieClient client = LocalOozie.getClientBundle();
    Properties conf = s3Properties(appProperties("bundle.properties",
        OozieClient.BUNDLE_APP_PATH, fs.makeQualified(new Path(appsDir, "bundle.xml")).toString(),
        "appsRoot", fs.makeQualified(appsDir).toString(),
        "start", "2016-05-02T00:00Z", "end", "2016-05-02T00:30Z"));
    String id = client.run(conf);
    waitFor(900_000, () -> isDone(client.getBundleJobInfo(id).getStatus()));
    BundleJob bundle = client.getBundleJobInfo(id);
    StringBuilder coordinators = new StringBuilder();
    for (CoordinatorJob coordinator : bundle.getCoordinators()) {
      coordinators.append(' ').append(coordinator.getAppName()).append('=').append(coordinator.getStatus());
    }
    assertEquals(coordinators.toString() + yarnApplications(), Job.Status.SUCCEEDED, bundle.getStatus());
    assertEquals(jobs.size(), bundle.getCoordinators().size());

    // The import coordinator's workflow imported the day (it did not take the "already a full" branch).
    for (CoordinatorJob coordinator : bundle.getCoordinators()) {
      if (coordinator.getAppName().equals("nightjar-analysis-import-coord")) {
        String workflow = LocalOozie.getCoordClient().getCoordJobInfo(coordinator.getId()).getActions().get(0)
            .getExternalId();
        assertTrue(describe(workflows, workflow), actions(workflows, workflow).contains("s3-import-daily OK"));
      }
    }

    // Everything the coordinators publish, and the analysis full: the day is a Sunday, so tracks-daily compacts
    // and the day's incremental, absorbed into the day's full, is retired by the compaction in both runs.
    Set<String> datasets = new LinkedHashSet<>();
    jobs.values().forEach(job -> datasets.addAll(job.publishes));
    datasets.add(full);
    List<String> compared = new ArrayList<>();
    for (String dataset : datasets) {
      Path mine = scheduled.path(dataset, DAY);
      Path theirs = direct.path(dataset, DAY);
      Path quarantine = new Path(mine.getParent(), Dataset.QUARANTINE_DIR + "/" + DAY);
      Path theirQuarantine = new Path(theirs.getParent(), Dataset.QUARANTINE_DIR + "/" + DAY);
      List<String> quarantined = PublishedRecords.sorted(fs, quarantine);
      assertEquals(dataset + " quarantine", PublishedRecords.sorted(fs, theirQuarantine), quarantined);
      if (dataset.equals("tracks/analysis/incremental") && DAY.getDayOfWeek() == DayOfWeek.SUNDAY) {
        assertFalse("retired by the compaction", fs.exists(theirs) || fs.exists(mine));
        compared.add(dataset + " (retired into the full; " + quarantined.size() + " quarantined)");
        continue;
      }
      assertTrue(mine + " published", fs.exists(new Path(mine, Dataset.SUCCESS_FLAG)));
      assertEquals(dataset, PublishedRecords.sorted(fs, theirs), PublishedRecords.sorted(fs, mine));
      compared.add(dataset + " (" + AvroFiles.count(fs, mine) + " records)");
    }
    System.out.println("bundle and direct run published the same: " + compared);
  }

  /** The S3 parameters of the apps that import: the loopback server, its bucket, and the credential store. */
  private Properties s3Properties(Properties conf) {
    conf.setProperty("bucket", DailyChain.BUCKET);
    conf.setProperty("s3Endpoint", s3.endpoint());
    conf.setProperty("s3PathStyle", "true");
    conf.setProperty("credentialProviderPath", credentialStore);
    conf.setProperty("maxQuarantineFraction", "0.1"); // the sample is deliberately dirty, as in the demo
    return conf;
  }

  private DailyChain chain(String root, Map<String, ChainDiagram.Job> jobs) throws Exception {
    Configuration local = new Configuration(createJobConf());
    local.set("mapreduce.framework.name", "local");
    local.set(Dataset.ROOT_KEY, root);
    local.set(S3Access.ENDPOINT, s3.endpoint());
    local.setBoolean(S3Access.PATH_STYLE, true);
    local.set(CredentialProviderFactory.CREDENTIAL_PROVIDER_PATH, credentialStore);
    return new DailyChain(fs, local, TESTDATA, jobs);
  }

  private static boolean isDone(Job.Status status) {
    return status == Job.Status.SUCCEEDED || status == Job.Status.FAILED || status == Job.Status.KILLED
        || status == Job.Status.DONEWITHERROR;
  }
}
