package io.nightjar.workflows;

import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import java.io.File;
import java.io.FileReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ToolRunner;
import org.apache.oozie.client.BundleJob;
import org.apache.oozie.client.CoordinatorJob;
import org.apache.oozie.client.Job;
import org.apache.oozie.client.OozieClient;
import org.apache.oozie.client.OozieClientException;
import org.apache.oozie.client.WorkflowAction;
import org.apache.oozie.client.WorkflowJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Deploys the packaged Oozie apps ({@code workflows/target/oozie-apps}) and starts one of them, on the Oozie client
 * library: uploads the folder to HDFS (into a staging folder renamed over the old one, so a running coordinator
 * never reads a half-copied app), has the server validate every workflow/coordinator/bundle XML, optionally
 * dry-runs the job on the server, then submits or runs the workflow, coordinator or bundle named by
 * {@code --job} with that app's {@code job.properties} (or {@code bundle.properties}) and {@code -P} overrides.
 * Prints the job id and status; {@code --wait} polls until the job ends and exits 1 on failure with the failed
 * action's error code and message.
 *
 * <p>Credentials never go in the properties: the Oozie server and cluster authenticate the caller (Kerberos).
 */
@Command(name = "oozie-deploy",
    description = "Upload the packaged Oozie apps to HDFS, validate them on the server, and submit or run one.")
public class OozieDeploy extends NightjarTool<Plan> {

  @Option(names = "--oozie", required = true, paramLabel = "URL",
      description = "Oozie server URL, e.g. http://oozie:11000/oozie (env OOZIE_URL is not read).")
  String oozieUrl;

  @Option(names = "--apps", paramLabel = "DIR", defaultValue = "workflows/target/oozie-apps",
      description = "Local packaged apps folder (default: ${DEFAULT-VALUE}).")
  File apps;

  @Option(names = "--hdfs-path", paramLabel = "PATH", defaultValue = "/apps/nightjar",
      description = "Where the apps live on the cluster's file system (default: ${DEFAULT-VALUE}).")
  String hdfsPath;

  @Option(names = "--no-upload", description = "Use the apps already on HDFS.")
  boolean noUpload;

  @Option(names = "--job", paramLabel = "APP",
      description = "What to start: an app folder (sensor-averages, tracks-daily, ...) or 'bundle'. Without it, only upload and validate.")
  String job;

  @Option(names = "--workflow", description = "Start the app's workflow alone, not its coordinator.")
  boolean workflowOnly;

  @Option(names = "--submit-only", description = "Submit without starting (PREP); start it later with oozie job -start.")
  boolean submitOnly;

  @Option(names = "--server-dry-run", description = "Have the server dry-run the job first; stop if it fails.")
  boolean serverDryRun;

  @Option(names = "-P", paramLabel = "NAME=VALUE", description = "Override a job property (repeatable).")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--wait", description = "Poll until the job ends; exit 1 if it did not succeed.")
  boolean await;

  @Option(names = "--poll-seconds", defaultValue = "10", description = "Polling interval for --wait (default: ${DEFAULT-VALUE}).")
  int pollSeconds;

  @Option(names = "--timeout-minutes", defaultValue = "0", description = "Give up waiting after this long (0: never).")
  int timeoutMinutes;

  public static void main(String[] args) {
    System.exit(run(new Configuration(), System.out, System.err, args));
  }

  /** Runs the tool; returns the exit status (0 done, 1 failed with the reason on {@code err}, 2 usage). */
  public static int run(Configuration conf, PrintStream out, PrintStream err, String... args) {
    OozieDeploy tool = new OozieDeploy();
    tool.out = out;
    tool.err = err;
    try {
      return ToolRunner.run(conf, tool, args);
    } catch (JobFailedException | OozieClientException e) {
      err.println("oozie-deploy failed: " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println("oozie-deploy failed: " + e);
      return 1;
    }
  }

  @Override
  protected Plan plan() throws Exception {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("oozie", oozieUrl);
    plan.put("upload", noUpload ? "no (using " + target() + ")" : apps.getAbsolutePath() + " -> " + target());
    plan.put("validate", xmlFiles().size() + " XML files");
    if (job != null) {
      plan.put("job", job + " (" + kind() + ")");
      plan.put("properties", redact(jobProperties()));
    }
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws Exception {
    OozieClient oozie = new OozieClient(oozieUrl);
    oozie.validateWSVersion();
    if (!noUpload) {
      upload();
    }
    for (File xml : xmlFiles()) {
      String name = apps.toPath().relativize(xml.toPath()).toString();
      try {
        String answer = oozie.validateXML(xml.getAbsolutePath());
        out.println("valid: " + name + " (" + answer.trim() + ")");
      } catch (OozieClientException e) {
        throw new JobFailedException("the server rejects " + name + ": " + e.getMessage());
      }
    }
    if (job == null) {
      return 0;
    }
    Properties conf = oozie.createConfiguration();
    conf.putAll(jobProperties());
    if (!conf.containsKey(OozieClient.USER_NAME)) {
      conf.setProperty(OozieClient.USER_NAME, System.getProperty("user.name"));
    }
    if (serverDryRun) {
      String answer = oozie.dryrun(conf);
      out.println("server dry run: " + answer.trim());
    }
    String id = submitOnly ? oozie.submit(conf) : oozie.run(conf);
    out.println("job: " + id + " " + status(oozie, id));
    if (!await) {
      return 0;
    }
    return waitUntilDone(oozie, id);
  }

  private int waitUntilDone(OozieClient oozie, String id) throws Exception {
    long deadline = timeoutMinutes > 0 ? System.currentTimeMillis() + timeoutMinutes * 60_000L : Long.MAX_VALUE;
    String status = status(oozie, id);
    while (!isDone(status)) {
      if (System.currentTimeMillis() > deadline) {
        throw new JobFailedException(id + " still " + status + " after " + timeoutMinutes + " min");
      }
      Thread.sleep(pollSeconds * 1000L);
      String now = status(oozie, id);
      if (!now.equals(status)) {
        out.println("job: " + id + " " + now);
      }
      status = now;
    }
    if (status.equals("SUCCEEDED")) {
      return 0;
    }
    throw new JobFailedException(id + " " + status + failure(oozie, id));
  }

  private static boolean isDone(String status) {
    return Stream.of("SUCCEEDED", "FAILED", "KILLED", "DONEWITHERROR", "TIMEDOUT").anyMatch(status::equals);
  }

  /** Status of a workflow (-W), coordinator (-C) or bundle (-B) job. */
  static String status(OozieClient oozie, String id) throws OozieClientException {
    if (id.endsWith("-C")) {
      return oozie.getCoordJobInfo(id).getStatus().name();
    }
    if (id.endsWith("-B")) {
      return oozie.getBundleJobInfo(id).getStatus().name();
    }
    return oozie.getJobInfo(id).getStatus().name();
  }

  /** The failed workflow action's error code and message (for a coordinator, of its failed actions' workflows). */
  static String failure(OozieClient oozie, String id) throws OozieClientException {
    List<String> workflows = new ArrayList<>();
    if (id.endsWith("-W")) {
      workflows.add(id);
    } else if (id.endsWith("-C")) {
      CoordinatorJob coord = oozie.getCoordJobInfo(id);
      coord.getActions().stream().filter(a -> a.getExternalId() != null && a.getStatus().name().matches("FAILED|KILLED"))
          .forEach(a -> workflows.add(a.getExternalId()));
    } else {
      BundleJob bundle = oozie.getBundleJobInfo(id);
      for (CoordinatorJob coord : bundle.getCoordinators()) {
        if (coord.getStatus() != Job.Status.SUCCEEDED) {
          return ": coordinator " + coord.getAppName() + " " + coord.getStatus() + failure(oozie, coord.getId());
        }
      }
    }
    StringBuilder reason = new StringBuilder();
    for (String workflow : workflows) {
      WorkflowJob wf = oozie.getJobInfo(workflow);
      for (WorkflowAction action : wf.getActions()) {
        if (action.getErrorCode() != null && !action.getType().startsWith(":")) {
          reason.append(": ").append(wf.getAppName()).append(" action ").append(action.getName()).append(" failed [")
              .append(action.getErrorCode()).append("] ").append(action.getErrorMessage());
        }
      }
    }
    return reason.toString();
  }

  /** Copies the apps to a staging folder beside the target, then swaps it in. */
  private void upload() throws IOException {
    Configuration conf = getConf();
    Path target = target();
    FileSystem fs = target.getFileSystem(conf);
    Path staging = new Path(target.getParent(), "_staging-" + target.getName() + "-" + System.currentTimeMillis());
    fs.copyFromLocalFile(false, true, new Path(apps.getAbsolutePath()), staging);
    Path old = new Path(target.getParent(), "_old-" + target.getName() + "-" + System.currentTimeMillis());
    boolean hadOld = fs.exists(target);
    if (hadOld && !fs.rename(target, old)) {
      throw new IOException("cannot move " + target + " aside");
    }
    if (!fs.rename(staging, target)) {
      throw new IOException("cannot rename " + staging + " to " + target);
    }
    if (hadOld) {
      fs.delete(old, true);
    }
    out.println("uploaded: " + apps + " -> " + fs.makeQualified(target));
  }

  private Path target() {
    return new Path(hdfsPath);
  }

  private List<File> xmlFiles() throws IOException {
    if (!apps.isDirectory()) {
      throw new JobFailedException("no packaged apps at " + apps + " (mvn package builds workflows/target/oozie-apps)");
    }
    try (Stream<java.nio.file.Path> files = Files.walk(apps.toPath())) {
      return files.map(java.nio.file.Path::toFile)
          .filter(f -> f.getName().matches("workflow\\.xml|coordinator\\.xml|bundle\\.xml"))
          .sorted().collect(Collectors.toList());
    }
  }

  private String kind() {
    if (job.equals("bundle")) {
      return "bundle";
    }
    return workflowOnly || !new File(apps, job + "/coordinator.xml").exists() ? "workflow" : "coordinator";
  }

  /** The app's documented properties with its paths under {@code --hdfs-path}, then the {@code -P} overrides. */
  Properties jobProperties() throws IOException {
    File file = new File(apps, job.equals("bundle") ? "bundle.properties" : job + "/job.properties");
    if (!file.isFile()) {
      throw new JobFailedException("no such app: " + job + " (" + file + " missing)");
    }
    Properties props = new Properties();
    try (Reader in = new FileReader(file)) {
      props.load(in);
    }
    String base = "${nameNode}" + target();
    props.setProperty("oozie.libpath", base + "/lib");
    if (job.equals("bundle")) {
      props.setProperty(OozieClient.BUNDLE_APP_PATH, base + "/bundle.xml");
      props.setProperty("appsRoot", base);
    } else {
      props.setProperty("appPath", base + "/" + job);
      props.remove(OozieClient.COORDINATOR_APP_PATH);
      props.remove(OozieClient.APP_PATH);
      if (kind().equals("coordinator")) {
        props.setProperty(OozieClient.COORDINATOR_APP_PATH, "${appPath}/coordinator.xml");
      } else {
        props.setProperty(OozieClient.APP_PATH, "${appPath}");
      }
    }
    overrides.forEach(props::setProperty);
    return props;
  }

  private static Map<String, String> redact(Properties props) {
    Map<String, String> shown = new LinkedHashMap<>();
    props.stringPropertyNames().stream().sorted().forEach(name -> shown.put(name,
        name.toLowerCase().matches(".*(secret|password|credential|token).*") ? "<redacted>" : props.getProperty(name)));
    return shown;
  }
}
