package io.nightjar.oozie;

import io.nightjar.common.AvroFiles;
import io.nightjar.common.Dataset;
import io.nightjar.demo.DailyChain;
import io.nightjar.workflows.ChainDiagram;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.oozie.client.BundleJob;
import org.apache.oozie.client.CoordinatorJob;
import org.apache.oozie.client.Job;
import org.apache.oozie.client.OozieClient;
import org.apache.oozie.local.LocalOozie;

/**
 * The whole daily chain twice over the same upstream deliveries: once as the demo runs it (the tools called
 * directly, in the coordinators' order, MapReduce in local mode) and once on the Oozie engine (bundle →
 * coordinators waiting for {@code _SUCCESS} → workflows → java actions on YARN). Both must publish the same records,
 * the same quarantine and a {@code _SUCCESS} for every dataset the coordinators declare as output.
 */
public class DailyChainOozieIT extends NightjarOozieTestCase {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");

  public void testBundlePublishesWhatTheDemoPublishes() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(OOZIE_APPS);
    Path directRoot = new Path(getFsTestCaseDir(), "data/direct");
    DailyChain direct = chain(directRoot.toString(), jobs);
    DailyChain scheduled = chain(nightjarRoot.toString(), jobs);
    direct.seedDeliveries(DAY, 1);
    scheduled.seedDeliveries(DAY, 1);

    for (String job : ChainDiagram.order(jobs)) {
      assertEquals(job, 0, direct.runJob(job, DAY, DailyChain.workflowDefaults(OOZIE_APPS, job)));
    }

    OozieClient client = LocalOozie.getClientBundle();
    Properties conf = appProperties("bundle.properties",
        OozieClient.BUNDLE_APP_PATH, fs.makeQualified(new Path(appsDir, "bundle.xml")).toString(),
        "appsRoot", fs.makeQualified(appsDir).toString(),
        "start", "2016-05-02T00:00Z", "end", "2016-05-02T00:30Z");
    String id = client.run(conf);
    waitFor(900_000, () -> isDone(client.getBundleJobInfo(id).getStatus()));
    BundleJob bundle = client.getBundleJobInfo(id);
    StringBuilder coordinators = new StringBuilder();
    for (CoordinatorJob coordinator : bundle.getCoordinators()) {
      coordinators.append(' ').append(coordinator.getAppName()).append('=').append(coordinator.getStatus());
    }
    assertEquals(coordinators.toString() + yarnApplications(), Job.Status.SUCCEEDED, bundle.getStatus());
    assertEquals(jobs.size(), bundle.getCoordinators().size());

    List<String> compared = new ArrayList<>();
    for (ChainDiagram.Job job : jobs.values()) {
      for (String dataset : job.publishes) {
        Path mine = scheduled.path(dataset, DAY);
        Path theirs = direct.path(dataset, DAY);
        assertTrue(mine + " published", fs.exists(new Path(mine, Dataset.SUCCESS_FLAG)));
        assertEquals(dataset, PublishedRecords.sorted(fs, theirs), PublishedRecords.sorted(fs, mine));
        Path quarantine = new Path(mine.getParent(), Dataset.QUARANTINE_DIR + "/" + DAY);
        Path theirQuarantine = new Path(theirs.getParent(), Dataset.QUARANTINE_DIR + "/" + DAY);
        assertEquals(dataset + " quarantine", PublishedRecords.sorted(fs, theirQuarantine),
            PublishedRecords.sorted(fs, quarantine));
        compared.add(dataset + " (" + AvroFiles.count(fs, mine) + " records)");
      }
    }
    System.out.println("bundle and direct run published the same: " + compared);
  }

  private DailyChain chain(String root, Map<String, ChainDiagram.Job> jobs) throws Exception {
    Configuration local = new Configuration(createJobConf());
    local.set("mapreduce.framework.name", "local");
    local.set(Dataset.ROOT_KEY, root);
    return new DailyChain(fs, local, TESTDATA, jobs);
  }

  private static boolean isDone(Job.Status status) {
    return status == Job.Status.SUCCEEDED || status == Job.Status.FAILED || status == Job.Status.KILLED
        || status == Job.Status.DONEWITHERROR;
  }
}
