package io.nightjar.oozie;

import io.nightjar.common.avro.AvroFiles;
import java.io.File;
import java.util.Properties;
import org.apache.hadoop.fs.Path;
import org.apache.oozie.client.CoordinatorAction;
import org.apache.oozie.client.CoordinatorJob;
import org.apache.oozie.client.OozieClient;
import org.apache.oozie.client.WorkflowJob;
import org.apache.oozie.local.LocalOozie;

/**
 * The packaged sensor-averages app on a real Oozie engine: the workflow publishes the day, and the coordinator
 * materialises the day's action but starts it only once the readings folder carries {@code _SUCCESS}.
 */
public class SensorAveragesOozieIT extends NightjarOozieTestCase {

  private static final String DATE = "2016-05-01";
  private static final File READINGS = new File(TESTDATA, "sensors/readings/" + DATE + "/readings.csv");
  /** What the same input publishes when the tool runs directly (SensorAveragesIT): one figure per sensor. */
  private static final long SENSORS = 24;

  public void testWorkflowPublishesTheDay() throws Exception {
    publishLocalFile(READINGS, readingsDay());
    OozieClient client = LocalOozie.getClient();
    Properties conf = appProperties("sensor-averages/job.properties",
        OozieClient.APP_PATH, appPath("sensor-averages"), "date", DATE);
    conf.remove(OozieClient.COORDINATOR_APP_PATH);

    String id = client.run(conf);
    WorkflowJob.Status status = waitForWorkflow(client, id, 240_000);

    assertEquals(describe(client, id), WorkflowJob.Status.SUCCEEDED, status);
    assertPublished();
  }

  public void testCoordinatorStartsTheDayOnlyOnceItsInputIsComplete() throws Exception {
    OozieClient client = LocalOozie.getCoordClient();
    Properties conf = appProperties("sensor-averages/job.properties",
        OozieClient.COORDINATOR_APP_PATH, appPath("sensor-averages") + "/coordinator.xml",
        "start", "2016-05-02T01:00Z", "end", "2016-05-02T02:00Z");
    // The readings are there but not yet complete: no _SUCCESS.
    fs.mkdirs(readingsDay());
    fs.copyFromLocalFile(new Path(READINGS.getAbsolutePath()), new Path(readingsDay(), READINGS.getName()));

    String id = client.run(conf);
    waitFor(60_000, () -> client.getCoordJobInfo(id).getActions().size() == 1);
    CoordinatorAction action = client.getCoordJobInfo(id).getActions().get(0);
    // Several input checks (every second here) pass without the flag: the action must keep waiting.
    sleep(8_000);
    action = client.getCoordActionInfo(action.getId());
    assertEquals(CoordinatorAction.Status.WAITING, action.getStatus());
    assertTrue(action.getMissingDependencies(), action.getMissingDependencies().contains(DATE + "/_SUCCESS"));
    assertFalse(fs.exists(outputDay()));

    fs.create(new Path(readingsDay(), "_SUCCESS")).close();
    String actionId = action.getId();
    waitFor(300_000, () -> {
      CoordinatorAction.Status s = client.getCoordActionInfo(actionId).getStatus();
      return s == CoordinatorAction.Status.SUCCEEDED || s == CoordinatorAction.Status.FAILED
          || s == CoordinatorAction.Status.KILLED || s == CoordinatorAction.Status.TIMEDOUT;
    });
    action = client.getCoordActionInfo(actionId);
    assertEquals(action.getErrorMessage(), CoordinatorAction.Status.SUCCEEDED, action.getStatus());
    assertPublished();
    waitFor(30_000, () -> client.getCoordJobInfo(id).getStatus() == CoordinatorJob.Status.SUCCEEDED);
    assertEquals(CoordinatorJob.Status.SUCCEEDED, client.getCoordJobInfo(id).getStatus());
  }

  private Path readingsDay() {
    return new Path(nightjarRoot, "sensors/readings/" + DATE);
  }

  private Path outputDay() {
    return new Path(nightjarRoot, "sensors/sensor-averages-day/" + DATE);
  }

  private void assertPublished() throws Exception {
    assertTrue(fs.exists(new Path(outputDay(), "_SUCCESS")));
    assertEquals(SENSORS, AvroFiles.count(fs, outputDay()));
    assertTrue("quarantine published", fs.exists(new Path(nightjarRoot, "sensors/sensor-averages-day/_quarantine/" + DATE + "/_SUCCESS")));
  }
}
