package io.nightjar.oozie;

import com.google.inject.Guice;
import io.nightjar.common.avro.AvroFiles;
import io.nightjar.workflows.OozieDeploy;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.oozie.server.EmbeddedOozieServer;
import org.apache.oozie.server.guice.OozieGuiceModule;
import org.apache.oozie.service.Services;
import org.apache.oozie.test.XFsTestCase;

/**
 * {@code oozie-deploy} against Oozie's own embedded web server (EmbeddedOozieServer, the {@code oozied.sh} server)
 * over HTTP, with MiniDFSCluster + MiniMRYarnCluster behind it: upload, server-side validation, run, {@code --wait}.
 * The apps are the packaged ones, shaded job jar in {@code lib/}; containers see no module classes (as in
 * {@link NightjarOozieTestCase}).
 */
public class OozieDeployIT extends XFsTestCase {

  private static final File OOZIE_APPS = NightjarOozieTestCase.OOZIE_APPS;
  private static final File READINGS = new File(NightjarOozieTestCase.TESTDATA, "sensors/readings/2016-05-01/readings.csv");

  private EmbeddedOozieServer server;
  private String url;
  private FileSystem superuser;
  private Path root;
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  /** The test JVM's classpath, while containers get it without nightjar's modules (see NightjarOozieTestCase). */
  private String testClasspath;

  @Override
  protected void setUp() throws Exception {
    System.setProperty("oozie.test.metastore.server", "false");
    testClasspath = System.getProperty("java.class.path");
    System.setProperty("java.class.path", NightjarOozieTestCase.clusterClasspath(testClasspath,
        NightjarOozieTestCase.PROJECT));
    try {
      super.setUp();
    } catch (Exception | Error e) {
      System.setProperty("java.class.path", testClasspath);
      throw e;
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    setSystemProperty("oozie.http.hostname", "localhost");
    setSystemProperty("oozie.http.port", Integer.toString(port));
    // A failed day exits 1, which the apps' retry-max would retry 10 minutes later: not in this test.
    setSystemProperty("oozie.service.LiteWorkflowStoreService.user.retry.error.code", "NONE");
    server = Guice.createInjector(new OozieGuiceModule()).getInstance(EmbeddedOozieServer.class);
    server.setup();
    server.start();
    url = "http://localhost:" + port + "/oozie";

    Configuration conf = new Configuration(createJobConf());
    superuser = FileSystem.get(conf);
    root = new Path("/user/" + getTestUser() + "/deploy-it/data");
    superuser.mkdirs(root);
    superuser.setOwner(root, getTestUser(), null);
    superuser.mkdirs(new Path("/tmp/nightjar"));
    superuser.setPermission(new Path("/tmp/nightjar"), org.apache.hadoop.fs.permission.FsPermission.valueOf("drwxrwxrwx"));
  }

  @Override
  protected void tearDown() throws Exception {
    if (server != null) {
      server.shutdown();
    }
    if (Services.get() != null) {
      Services.get().destroy();
    }
    try {
      super.tearDown();
    } finally {
      System.setProperty("java.class.path", testClasspath);
    }
  }

  public void testUploadsValidatesRunsAndWaitsForSuccess() throws Exception {
    // Written as the user the jobs run as, like an upstream job would.
    FileSystem fs = getFileSystem();
    Path day = new Path(root, "sensors/readings/2016-05-01");
    fs.mkdirs(day);
    fs.copyFromLocalFile(new Path(READINGS.getAbsolutePath()), new Path(day, READINGS.getName()));
    fs.create(new Path(day, "_SUCCESS")).close();

    int status = deploy("--job", "sensor-averages", "--workflow", "--server-dry-run", "--wait", "--poll-seconds", "2",
        "-P", "date=2016-05-01");

    assertEquals(stderr.toString(), 0, status);
    String out = stdout.toString(StandardCharsets.UTF_8);
    assertTrue(out, out.contains("uploaded: "));
    // Every workflow, coordinator and the bundle went through the server's validator.
    long xmlFiles = 1; // bundle.xml
    for (File app : OOZIE_APPS.listFiles(File::isDirectory)) {
      xmlFiles += (new File(app, "workflow.xml").exists() ? 1 : 0) + (new File(app, "coordinator.xml").exists() ? 1 : 0);
    }
    assertEquals(out, xmlFiles, out.lines().filter(l -> l.startsWith("valid: ")).count());
    assertTrue(out, out.contains("server dry run: OK"));
    assertTrue(out, out.matches("(?s).*job: \\S+-W SUCCEEDED.*"));
    assertTrue(superuser.exists(new Path("/apps/nightjar/lib/nightjar-jobs.jar")));
    Path published = new Path(root, "sensors/sensor-averages-day/2016-05-01");
    assertTrue(superuser.exists(new Path(published, "_SUCCESS")));
    assertEquals(24, AvroFiles.count(superuser, published));
  }

  public void testWaitExitsNonZeroWithTheFailedActionsErrorCode() throws Exception {
    // No readings for this day: the tool exits 1 and publishes nothing.
    int status = deploy("--job", "sensor-averages", "--workflow", "--wait", "--poll-seconds", "2", "-P", "date=2016-06-30");

    assertEquals(1, status);
    String err = stderr.toString(StandardCharsets.UTF_8);
    assertTrue(err, err.matches("(?s).*-W KILLED: nightjar-sensor-averages action sensor-averages failed \\[1\\] "
        + "Main Class \\[org.apache.oozie.action.hadoop.JavaMain\\], exit code \\[1\\].*"));
    assertFalse(superuser.exists(new Path(root, "sensors/sensor-averages-day/2016-06-30")));
  }

  public void testInvalidAppIsRejectedByTheServerBeforeAnythingStarts() throws Exception {
    File broken = new File(getTestCaseDir(), "oozie-apps");
    org.apache.commons.io.FileUtils.copyDirectory(OOZIE_APPS, broken, f -> !f.getName().endsWith(".jar"));
    File workflow = new File(broken, "sensor-averages/workflow.xml");
    String xml = org.apache.commons.io.FileUtils.readFileToString(workflow, StandardCharsets.UTF_8);
    org.apache.commons.io.FileUtils.writeStringToFile(workflow, xml.replace("<ok to=\"end\"/>", "<ok-to/>"), StandardCharsets.UTF_8);

    int status = deploy("--apps", broken.getPath(), "--hdfs-path", "/apps/broken", "--job", "sensor-averages");

    assertEquals(1, status);
    assertTrue(stderr.toString(), stderr.toString().contains("sensor-averages/workflow.xml"));
    assertFalse(stdout.toString(), stdout.toString().contains("job: "));
  }

  /** Runs oozie-deploy as an operator would, pointed at the mini cluster and the test's data root. */
  private int deploy(String... args) throws Exception {
    java.util.List<String> full = new java.util.ArrayList<>(java.util.Arrays.asList("--oozie", url));
    if (!java.util.Arrays.asList(args).contains("--apps")) {
      full.addAll(java.util.Arrays.asList("--apps", OOZIE_APPS.getPath()));
    }
    full.addAll(java.util.Arrays.asList(args));
    full.addAll(java.util.Arrays.asList("-P", "nameNode=" + getNameNodeUri(), "-P", "resourceManager=" + getJobTrackerUri(),
        "-P", "nightjarRoot=" + superuser.makeQualified(root), "-P", "user.name=" + getTestUser()));
    return OozieDeploy.run(new Configuration(createJobConf()), new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8), full.toArray(new String[0]));
  }
}
