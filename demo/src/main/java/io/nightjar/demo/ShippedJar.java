package io.nightjar.demo;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.hadoop.conf.Configuration;

/**
 * Runs nightjar's tools from the shipped {@code nightjar-jobs.jar}, loaded as {@code hadoop jar} loads it
 * ({@code org.apache.hadoop.util.RunJar}): one class loader holds a configuration folder and an installed Hadoop's own
 * jars (the {@code hadoop classpath}), and a child of it holds the job jar and nothing else; the tool runs with the
 * child as its thread's context class loader. Nothing of the caller's classpath (nightjar's module classes, unshaded
 * Crunch and Avro, the test libraries) is visible to it, so what runs is the relocated bytes users deploy. The test
 * kit's jar ({@code nightjar-testkit.jar}, the generators and the local-mode file system, relocated alike) is a second
 * entry of the child, as {@code HADOOP_CLASSPATH} would add it; {@link #testKit()} runs its tools. So a job jar class
 * that needed a test kit class would run here and fail for users: the build's jar check refuses any job jar class
 * naming the test kit, and hadoop-jar-it runs the job jar's tools with nothing beside it.
 *
 * <p>The loaders are made once and reused for every tool run, as a long-lived gateway JVM would; each run gets a new
 * {@code Configuration} of the jar's Hadoop, holding what the caller's configuration sets beyond Hadoop's defaults.
 */
public final class ShippedJar implements ToIntFunction<String[]>, AutoCloseable {

  /** System properties naming the job jar and the folder of Hadoop's jars (defaults: the build's own). */
  public static final String JOB_JAR_PROPERTY = "nightjar.jobJar";
  public static final String HADOOP_JARS_PROPERTY = "nightjar.hadoopJars";
  /** System property naming the test kit's jar (default: the build's own). */
  public static final String TESTKIT_JAR_PROPERTY = "nightjar.testkitJar";
  static final String DEFAULT_JOB_JAR = "jobs/target/nightjar-jobs.jar";
  public static final String DEFAULT_TESTKIT_JAR = "testkit/target/nightjar-testkit.jar";
  static final String DEFAULT_HADOOP_JARS = "hadoop-dist/3.3.6/target/hadoop";

  private final File jar;
  private final File hadoopJars;
  private final Configuration conf;
  private final File confDir;
  private final URLClassLoader hadoop;
  private final URLClassLoader job;
  private final Method run;
  private final Method runTestKit;
  private final Method set;
  private final Method get;

  private ShippedJar(File jar, File testKit, File hadoopJars, Configuration conf)
      throws IOException, ReflectiveOperationException {
    for (File each : new File[] {jar, testKit}) {
      if (!each.isFile()) {
        throw new IllegalStateException("no jar at " + each.getAbsolutePath() + ": build it first (mvn package)");
      }
    }
    File[] jars = hadoopJars.listFiles((dir, name) -> name.endsWith(".jar"));
    if (jars == null || jars.length == 0) {
      throw new IllegalStateException("no Hadoop jars in " + hadoopJars.getAbsolutePath()
          + ": build hadoop-dist first (mvn package)");
    }
    this.jar = jar;
    this.hadoopJars = hadoopJars;
    this.conf = conf;
    this.confDir = Files.createTempDirectory("nightjar-client-conf").toFile();
    try (InputStream log4j = ShippedJar.class.getResourceAsStream("/log4j.properties")) {
      Files.copy(log4j, new File(confDir, "log4j.properties").toPath());
    }
    List<URL> classpath = new ArrayList<>();
    classpath.add(confDir.toURI().toURL());
    for (File each : jars) {
      classpath.add(each.toURI().toURL());
    }
    this.hadoop = new URLClassLoader("hadoop-classpath", classpath.toArray(new URL[0]),
        ClassLoader.getPlatformClassLoader());
    this.job = new URLClassLoader("job-jar", new URL[] {jar.toURI().toURL(), testKit.toURI().toURL()}, hadoop);
    Class<?> confClass = job.loadClass(Configuration.class.getName());
    this.run = job.loadClass("io.nightjar.jobs.Main").getMethod("run", confClass, String[].class);
    this.runTestKit = job.loadClass("io.nightjar.testkit.Main").getMethod("run", confClass, String[].class);
    this.set = confClass.getMethod("set", String.class, String.class);
    this.get = confClass.getMethod("get", String.class);
  }

  /**
   * The job jar, test kit jar and Hadoop jars named by {@value #JOB_JAR_PROPERTY}, {@value #TESTKIT_JAR_PROPERTY} and
   * {@value #HADOOP_JARS_PROPERTY}, or the build's own under {@code projectDir}; each run is given what {@code conf}
   * sets beyond Hadoop's defaults.
   */
  public static ShippedJar open(File projectDir, Configuration conf) throws IOException {
    File jar = new File(System.getProperty(JOB_JAR_PROPERTY, new File(projectDir, DEFAULT_JOB_JAR).getPath()));
    File testKit = new File(System.getProperty(TESTKIT_JAR_PROPERTY,
        new File(projectDir, DEFAULT_TESTKIT_JAR).getPath()));
    File hadoopJars = new File(System.getProperty(HADOOP_JARS_PROPERTY,
        new File(projectDir, DEFAULT_HADOOP_JARS).getPath()));
    return open(jar, testKit, hadoopJars, conf);
  }

  public static ShippedJar open(File jar, File testKit, File hadoopJars, Configuration conf) throws IOException {
    try {
      return new ShippedJar(jar.getAbsoluteFile(), testKit.getAbsoluteFile(), hadoopJars.getAbsoluteFile(), conf);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(jar + " has no io.nightjar.jobs.Main.run(Configuration, String...) or "
          + testKit + " no io.nightjar.testkit.Main.run: " + e, e);
    }
  }

  /** Runs {@code hadoop jar nightjar-jobs.jar args...}; returns its exit status. */
  @Override
  public int applyAsInt(String[] args) {
    return run(run, args);
  }

  /** Runs the test kit's tools: {@code HADOOP_CLASSPATH=nightjar-jobs.jar hadoop jar nightjar-testkit.jar args...}. */
  public ToIntFunction<String[]> testKit() {
    return args -> run(runTestKit, args);
  }

  private int run(Method run, String[] args) {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(job);
    try {
      Object jobConf = run.getParameterTypes()[0].getConstructor().newInstance();
      for (Map.Entry<String, String> entry : conf) {
        if (!entry.getValue().equals(get.invoke(jobConf, entry.getKey()))) {
          set.invoke(jobConf, entry.getKey(), entry.getValue());
        }
      }
      return (Integer) run.invoke(null, jobConf, args);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(run.getDeclaringClass().getName() + " " + String.join(" ", args) + " threw "
          + e.getCause(),
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  /** One line naming what runs: the jar, its size and SHA-256, and the Hadoop jars it runs on. */
  public String describe() {
    return String.format("%s (%,d bytes, sha256 %s) on the Hadoop jars of %s, loaded as hadoop jar loads them",
        jar.getPath(), jar.length(), sha256(jar).substring(0, 16), hadoopJars.getPath());
  }

  private static String sha256(File file) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(Files.newInputStream(file.toPath()), digest)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deletes the client configuration folder. The class loaders stay open: Hadoop's shutdown hooks, registered by code
   * they loaded, load more of their classes when the JVM exits.
   */
  @Override
  public void close() throws IOException {
    for (File file : confDir.listFiles()) {
      Files.delete(file.toPath());
    }
    Files.delete(confDir.toPath());
  }
}
