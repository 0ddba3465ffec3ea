package io.nightjar.oozie;

import io.nightjar.common.avro.AvroFiles;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.jobs.Main;
import io.nightjar.testkit.local.LocalSpeed;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapred.TIPStatus;
import org.apache.hadoop.mapreduce.Cluster;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.JobStatus;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskCompletionEvent;
import org.apache.hadoop.mapreduce.TaskReport;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.oozie.test.XFsTestCase;

/**
 * A map task attempt failed mid-job on the mini YARN cluster (as a lost node or an OOM would): MapReduce reruns the
 * task, and the published day holds exactly the records of an undisturbed run: the failed attempt's output and
 * counters are discarded, so nothing is lost and nothing is counted twice.
 */
public class TaskRetryIT extends XFsTestCase {

  private static final String DAY = "2016-05-01";

  public void testAFailedMapAttemptIsRetriedAndTheDayIsExact() throws Exception {
    FileSystem fs = FileSystem.get(createJobConf());
    Path base = new Path(getFsTestCaseDir(), "retry");
    Path input = new Path(base, "input/" + DAY);
    Configuration local = new Configuration(createJobConf());
    local.set("mapreduce.framework.name", "local");
    LocalSpeed.apply(local);
    assertEquals(0, io.nightjar.testkit.Main.run(local, "generate-sensor-readings", "--date", DAY, "--output", input.toString(),
        "--readings", "1500000", "--sensors", "500", "--files", "4", "--duplicate-fraction", "0.01",
        "--bad-fraction", "0.001"));

    Configuration yarn = new Configuration(createJobConf());
    yarn.set(Dataset.ROOT_KEY, new Path(base, "yarn").toString());
    AtomicReference<TaskAttemptID> failed = new AtomicReference<>();
    AtomicReference<Job> disturbed = new AtomicReference<>();
    Thread saboteur = new Thread(() -> failOneRunningMapAttempt(yarn, failed, disturbed));
    saboteur.setDaemon(true);
    saboteur.start();
    int status = Main.run(yarn, "sensor-averages", "--date", DAY, "--input", input.toString());
    saboteur.interrupt();
    assertEquals(0, status);
    assertNotNull("a running map attempt was failed mid-job", failed.get());
    boolean sawFailure = false;
    for (TaskCompletionEvent event : disturbed.get().getTaskCompletionEvents(0, 1000)) {
      sawFailure |= event.getTaskAttemptId().equals(failed.get()) && event.getStatus() == TaskCompletionEvent.Status.FAILED;
    }
    assertTrue("the attempt " + failed.get() + " ended FAILED and was retried", sawFailure);

    Configuration undisturbed = new Configuration(local);
    undisturbed.set(Dataset.ROOT_KEY, new Path(base, "local").toString());
    assertEquals(0, Main.run(undisturbed, "sensor-averages", "--date", DAY, "--input", input.toString()));

    assertEquals("one figure per sensor", 500, AvroFiles.count(fs, new Path(base, "yarn/sensors/sensor-averages-day/" + DAY)));
    for (String folder : new String[] {"sensors/sensor-averages-day/" + DAY, "sensors/sensor-averages-day/_quarantine/" + DAY}) {
      List<String> retried = PublishedRecords.sorted(fs, new Path(base, "yarn/" + folder));
      List<String> expected = PublishedRecords.sorted(fs, new Path(base, "local/" + folder));
      assertEquals(folder, expected, retried);
    }
  }

  /** Waits for the first running map attempt of the pipeline's jobs and fails it (it will be retried). */
  private static void failOneRunningMapAttempt(Configuration conf, AtomicReference<TaskAttemptID> failed,
      AtomicReference<Job> disturbed) {
    try {
      Cluster cluster = new Cluster(conf);
      java.util.Set<TaskAttemptID> seenRunning = new java.util.HashSet<>();
      while (failed.get() == null && !Thread.currentThread().isInterrupted()) {
        for (JobStatus status : cluster.getAllJobStatuses()) {
          if (status.getState() != JobStatus.State.RUNNING) {
            continue;
          }
          Job job = cluster.getJob(status.getJobID());
          for (TaskReport task : job.getTaskReports(TaskType.MAP)) {
            if (task.getCurrentStatus() == TIPStatus.RUNNING && !task.getRunningTaskAttemptIds().isEmpty()) {
              TaskAttemptID attempt = task.getRunningTaskAttemptIds().iterator().next();
              if (seenRunning.add(attempt)) {
                continue; // fail it on the next look, once it has been running a while
              }
              job.failTask(attempt);
              disturbed.set(job);
              failed.set(attempt);
              return;
            }
          }
        }
        Thread.sleep(300);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
