package io.nightjar.oozie;

import java.io.File;
import java.io.FileReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.oozie.client.OozieClient;
import org.apache.oozie.client.WorkflowJob;
import org.apache.oozie.local.LocalOozie;
import org.apache.oozie.test.MiniOozieTestCase;

/**
 * A real Oozie 5.2.1 engine (LocalOozie, in-memory HSQLDB) over MiniDFSCluster + MiniMRYarnCluster, with the
 * packaged apps of {@code workflows/target/oozie-apps} deployed to HDFS as {@code mvn package} assembles them, the
 * shaded {@code nightjar-jobs.jar} in {@code lib/}, the way an operator would
 * ({@code hdfs dfs -put oozie-apps /apps/nightjar}), and each app's own {@code job.properties} as the starting
 * configuration.
 *
 * <p>What the launchers and their MapReduce tasks load is what a cluster gives them: Hadoop's and Oozie's classes,
 * and nightjar's only from the deployed job jar. The mini YARN cluster hands every container the classpath of the JVM
 * that submits to it ({@code System.getProperty("java.class.path")}, in Hadoop's {@code MRApps.setMRFrameworkClasspath}
 * and Oozie's {@code ClasspathUtils.setupClasspath} when {@code yarn.is.minicluster} is set); while a test runs, that
 * property holds the test classpath without nightjar's modules and Crunch ({@link #clusterClasspath}), so no
 * unrelocated Crunch or module class can stand in for the shipped jar's.
 */
public abstract class NightjarOozieTestCase extends MiniOozieTestCase {

  protected static final File OOZIE_APPS = new File(System.getProperty("nightjar.oozie-apps", "../workflows/target/oozie-apps"));
  protected static final File TESTDATA = new File(System.getProperty("nightjar.testdata", "../testdata"));
  /** nightjar's checkout: every module's classes and jars are under it. */
  static final File PROJECT = new File(System.getProperty("nightjar.project", ".."));

  protected FileSystem fs;
  protected Path appsDir;
  protected Path nightjarRoot;
  private String testClasspath;

  /**
   * The test JVM's classpath without what a cluster does not have: nightjar's modules (their classes and jars, under
   * the checkout or as {@code io/nightjar} artifacts) and Crunch (only in the job jar, relocated).
   */
  static String clusterClasspath(String classpath, File project) throws IOException {
    String checkout = project.getCanonicalPath() + File.separator;
    List<String> kept = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      String path = new File(entry).getCanonicalPath();
      boolean nightjar = path.startsWith(checkout) || path.contains("/io/nightjar/");
      boolean crunch = path.contains("/org/apache/crunch/");
      if (!nightjar && !crunch) {
        kept.add(entry);
      }
    }
    return String.join(File.pathSeparator, kept);
  }

  @Override
  protected void setUp() throws Exception {
    System.setProperty("oozie.test.metastore.server", "false");
    testClasspath = System.getProperty("java.class.path");
    System.setProperty("java.class.path", clusterClasspath(testClasspath, PROJECT));
    try {
      super.setUp();
    } catch (Exception | Error e) {
      System.setProperty("java.class.path", testClasspath); // JUnit 3 runs no tearDown after a failed setUp
      throw e;
    }
    fs = getFileSystem();
    Path base = getFsTestCaseDir();
    appsDir = new Path(base, "apps/nightjar");
    nightjarRoot = new Path(base, "data/nightjar");
    assertTrue("build the workflows module first (mvn package): " + OOZIE_APPS, new File(OOZIE_APPS, "lib").isDirectory());
    fs.copyFromLocalFile(false, true, new Path(OOZIE_APPS.getAbsolutePath()), appsDir);
    // Crunch's per-workflow temporary folder parent (crunch.tmp.dir in the apps' <global>).
    fs.mkdirs(new Path("/tmp/nightjar"), FsPermission.valueOf("drwxrwxrwx"));
  }

  @Override
  protected void tearDown() throws Exception {
    try {
      super.tearDown();
    } finally {
      if (testClasspath != null) {
        System.setProperty("java.class.path", testClasspath);
      }
    }
  }

  /** The app's documented job.properties, pointed at this cluster; {@code overrides} are name, value pairs. */
  protected Properties appProperties(String file, String... overrides) throws IOException {
    Properties documented = new Properties();
    try (Reader in = new FileReader(new File(OOZIE_APPS, file))) {
      documented.load(in);
    }
    OozieClient client = LocalOozie.getClient();
    Properties conf = client.createConfiguration();
    for (String name : documented.stringPropertyNames()) {
      conf.setProperty(name, documented.getProperty(name));
    }
    conf.setProperty("nameNode", getNameNodeUri());
    conf.setProperty("resourceManager", getJobTrackerUri());
    conf.setProperty("nightjarRoot", fs.makeQualified(nightjarRoot).toString());
    conf.setProperty("oozie.libpath", fs.makeQualified(new Path(appsDir, "lib")).toString());
    conf.setProperty(OozieClient.USER_NAME, getTestUser());
    String appPath = documented.getProperty("appPath");
    if (appPath != null) {
      conf.setProperty("appPath", appPath(new Path(appPath).getName()));
    }
    for (int i = 0; i < overrides.length; i += 2) {
      conf.setProperty(overrides[i], overrides[i + 1]);
    }
    return conf;
  }

  protected String appPath(String app) throws IOException {
    return fs.makeQualified(new Path(appsDir, app)).toString();
  }

  /** Polls until the workflow leaves PREP/RUNNING; returns its final state. */
  protected WorkflowJob.Status waitForWorkflow(OozieClient client, String id, int timeoutMillis) throws Exception {
    waitFor(timeoutMillis, () -> {
      WorkflowJob.Status status = client.getJobInfo(id).getStatus();
      return status != WorkflowJob.Status.PREP && status != WorkflowJob.Status.RUNNING;
    });
    return client.getJobInfo(id).getStatus();
  }

  /** A workflow's actions as "name STATUS". */
  protected List<String> actions(OozieClient client, String id) throws Exception {
    List<String> actions = new ArrayList<>();
    client.getJobInfo(id).getActions().forEach(action -> actions.add(action.getName() + " " + action.getStatus()));
    return actions;
  }

  /** A workflow's actions with their status and error, and YARN's applications, for failure messages. */
  protected String describe(OozieClient client, String id) throws Exception {
    StringBuilder out = new StringBuilder(id).append(' ').append(client.getJobInfo(id).getStatus());
    client.getJobInfo(id).getActions().forEach(a -> out.append("\n  ").append(a.getName()).append(' ')
        .append(a.getStatus()).append(' ').append(a.getErrorCode()).append(' ').append(a.getErrorMessage()));
    return out.append(yarnApplications()).toString();
  }

  /** The mini YARN cluster's applications, for failure messages: state, progress and diagnostics. */
  protected String yarnApplications() {
    StringBuilder out = new StringBuilder();
    try (org.apache.hadoop.yarn.client.api.YarnClient yarn = org.apache.hadoop.yarn.client.api.YarnClient.createYarnClient()) {
      yarn.init(createJobConf());
      yarn.start();
      for (org.apache.hadoop.yarn.api.records.ApplicationReport app : yarn.getApplications()) {
        out.append("\n  ").append(app.getApplicationId()).append(' ').append(app.getName()).append(' ')
            .append(app.getYarnApplicationState()).append(' ').append(app.getDiagnostics());
      }
      out.append("\n  nodes: ");
      for (org.apache.hadoop.yarn.api.records.NodeReport node : yarn.getNodeReports()) {
        out.append(node.getNodeId()).append(" used ").append(node.getUsed()).append(" of ").append(node.getCapability()).append("; ");
      }
    } catch (Exception e) {
      out.append("\n  (cannot list YARN applications: ").append(e).append(')');
    }
    return out.toString();
  }

  /** Writes the local file as {@code dir/name} and marks the folder complete with {@code _SUCCESS}. */
  protected void publishLocalFile(File local, Path dir) throws IOException {
    fs.mkdirs(dir);
    fs.copyFromLocalFile(new Path(local.getAbsolutePath()), new Path(dir, local.getName()));
    fs.create(new Path(dir, "_SUCCESS")).close();
  }
}
