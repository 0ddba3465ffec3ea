package io.nightjar.s3server;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A real S3-compatible server (S3Proxy, AWS V2/V4 signatures) on a free loopback port, in a JVM of its own so its
 * libraries (Guava 33, Jetty 12) never share a classpath with Crunch and Hadoop. Objects live in memory, or in
 * {@code dataDir} when given (files you can look at). For the demo, tests and benchmarks only: the keys are fixed
 * local test values, not credentials.
 *
 * <p>Starts in about two seconds; {@link #close()} stops it.
 */
public final class LoopbackS3 implements AutoCloseable {

  public static final String ACCESS_KEY = "local-identity";
  public static final String SECRET_KEY = "local-credential";

  private final Process process;
  private final int port;

  private LoopbackS3(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a server on a free port; objects in memory when {@code dataDir} is null. */
  public static LoopbackS3 start(File dataDir) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    return start(dataDir, port);
  }

  /**
   * Starts a server on {@code port}; objects in memory when {@code dataDir} is null, else in that folder: each
   * subfolder a bucket, each file under it an object (key = its path under the bucket folder).
   */
  public static LoopbackS3 start(File dataDir, int port) throws IOException {
    return start(dataDir, port, 0);
  }

  /**
   * Starts a server on a free port that answers every request {@code latencyMs} later than it could, as a remote
   * S3 does: S3Proxy's own {@code LatencyBlobStore} sleeps in the server's request thread, so the delay costs the
   * client no CPU and the server next to none (benchmarks of many requests in flight).
   */
  public static LoopbackS3 startWithLatency(File dataDir, long latencyMs) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    return start(dataDir, port, latencyMs);
  }

  private static LoopbackS3 start(File dataDir, int port, long latencyMs) throws IOException {
    Properties properties = new Properties();
    if (latencyMs > 0) {
      properties.setProperty("s3proxy.latency-blobstore.*.latency", Long.toString(latencyMs));
    }
    properties.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
    properties.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    properties.setProperty("s3proxy.identity", ACCESS_KEY);
    properties.setProperty("s3proxy.credential", SECRET_KEY);
    if (dataDir == null) {
      properties.setProperty("jclouds.provider", "transient-nio2");
    } else {
      dataDir.mkdirs();
      properties.setProperty("jclouds.provider", "filesystem-nio2");
      properties.setProperty("jclouds.filesystem.basedir", dataDir.getAbsolutePath());
    }
    properties.setProperty("jclouds.identity", ACCESS_KEY);
    properties.setProperty("jclouds.credential", SECRET_KEY);
    File config = File.createTempFile("s3proxy", ".properties");
    config.deleteOnExit();
    try (OutputStream out = Files.newOutputStream(config.toPath())) {
      properties.store(out, "nightjar loopback S3");
    }
    File logback = File.createTempFile("s3proxy-logback", ".xml");
    logback.deleteOnExit();
    Files.write(logback.toPath(), ("<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">"
        + "<encoder><pattern>%d %-5level %logger{20} - %msg%n</pattern></encoder></appender>"
        + "<root level=\"WARN\"><appender-ref ref=\"out\"/></root></configuration>").getBytes(StandardCharsets.UTF_8));
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx2g"); // objects are held in memory unless dataDir is given
    command.add("-Dlogback.configurationFile=" + logback.getAbsolutePath());
    command.add("-cp");
    command.add(serverClasspath());
    command.add("org.gaul.s3proxy.Main");
    command.add("--properties");
    command.add(config.getAbsolutePath());
    File log = File.createTempFile("s3proxy", ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    LoopbackS3 server = new LoopbackS3(process, port);
    server.awaitReady(log);
    return server;
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  private void awaitReady(File log) throws IOException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("S3Proxy exited with " + process.exitValue() + ": "
            + new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8));
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) new URL(endpoint() + "/").openConnection();
        connection.setConnectTimeout(200);
        connection.getResponseCode(); // any HTTP answer (403 for an unsigned request) means it is serving
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while S3Proxy started", e);
        }
      }
    }
    close();
    throw new IOException("S3Proxy did not answer on " + endpoint() + " within 60 s; log: " + log);
  }

  private static String serverClasspath() throws IOException {
    try (InputStream in = LoopbackS3.class.getResourceAsStream("/nightjar-s3server.classpath")) {
      if (in == null) {
        throw new IOException("nightjar-s3server.classpath is missing: build the s3server module");
      }
      String dependencies = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      return dependencies;
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code [DATA_DIR [PORT]]}: starts a server (in memory without a folder) and prints its endpoint. */
  public static void main(String[] args) throws IOException, InterruptedException {
    File dataDir = args.length > 0 ? new File(args[0]) : null;
    try (LoopbackS3 server = args.length > 1 ? start(dataDir, Integer.parseInt(args[1])) : start(dataDir)) {
      System.out.println("S3 on " + server.endpoint() + " (access key " + ACCESS_KEY + "); Ctrl-C stops it");
      Thread.currentThread().join();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
