package io.nightjar.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * Runs the Spark baseline ({@code bench-spark}'s {@code SparkBaseline}, Spark 3.5 SQL, {@code local[2]}) as its own
 * JVM and times the whole process, as a daily job is timed: JVM start, Spark session, job, output written. Spark is
 * never on nightjar's classpath; {@code bench-spark} is built with {@code -Pbench} and found through
 * {@code -Dnightjar.bench.spark=<bench-spark/target>} (default {@code ../bench-spark/target}).
 */
final class SparkRun {

  /** The module options Spark's own launcher adds on Java 17 (JavaModuleOptions in spark-launcher 3.5). */
  private static final String[] OPENS = {
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false"};

  private SparkRun() {
  }

  private static File target() {
    return new File(System.getProperty("nightjar.bench.spark", "../bench-spark/target"));
  }

  /** Whether bench-spark was built (mvn -Pbench builds it). */
  static boolean available() {
    return new File(target(), "spark.classpath").isFile() && new File(target(), "classes").isDirectory();
  }

  /**
   * One run as the process {@code name} (its output in {@code workDir/logs/<name>.log}; the baseline's own
   * {@code spark ...} lines are echoed): the process's wall seconds; fails when it exits non-zero.
   */
  static double run(File workDir, String name, String... args) throws IOException, InterruptedException {
    String classpath = new File(target(), "classes").getAbsolutePath() + File.pathSeparator
        + Files.readString(new File(target(), "spark.classpath").toPath()).trim();
    double seconds = BenchSupport.runJava(workDir, name, List.of(OPENS), classpath,
        "io.nightjar.bench.spark.SparkBaseline", List.of(args));
    Files.readAllLines(BenchSupport.log(workDir, name).toPath(), StandardCharsets.UTF_8).stream()
        .filter(line -> line.startsWith("spark ")).forEach(line -> System.out.println("  " + line));
    return seconds;
  }
}
