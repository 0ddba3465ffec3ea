package io.nightjar.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Test;
import picocli.CommandLine;

/**
 * Every benchmark at a tiny size, as its own command line runs it: it must finish, print its figures and find its
 * outputs equal (each bench throws when they differ). And every benchmark command docs/benchmarks.md prints must still
 * parse with the benchmarks' current options, so none can rot.
 */
public class BenchSmokeTest {

  private static final File WORK = new File("target/bench-smoke");

  @Test
  public void sensorAverages() throws Exception {
    String out = run(new SensorAveragesBench(), "--readings", "20000", "--sensors", "20", "--repeat", "1", "--no-spark",
        "--warmup", "0", "--work-dir", new File(WORK, "sensor-averages").getPath());
    assertTrue(out, out.contains("after 0 untimed warm-up round(s)"));
    assertTrue(out, out.contains("plain loop"));
    for (String engine : new String[] {"crunch", "mapreduce"}) {
      for (String duplicates : new String[] {"keep", "remove"}) {
        assertTrue(out, out.contains("--engine " + engine + " --duplicates " + duplicates));
      }
    }
    assertTrue(out, out.contains("on the HDFS (NameNode + DataNode in their own process)"));
    assertTrue(out, out.contains("every keep row published the loop's 20 figures, every remove row those of "
        + "nightjar's rule"));
  }

  @Test
  public void impressionsJoin() throws Exception {
    String out = run(new ImpressionsJoinBench(), "--impressions", "3000", "--ads", "50", "--reducers", "2", "--no-spark",
        "--storage", "local", "--work-dir", new File(WORK, "impressions-join").getPath());
    for (String strategy : new String[] {"default", "sharded", "adaptive", "mapside"}) {
      assertTrue(out, Pattern.compile("(?m)^" + strategy + " +[0-9.]+ +[0-9]+").matcher(out).find());
    }
    assertTrue(out, out.contains("all strategies published the same 3,000 rows"));
    assertTrue(out, out.contains("2 reducers, 2 local slots, 1 runs each after 1 untimed warm-up round(s)"));
  }

  @Test
  public void attributesDaily() throws Exception {
    String out = run(new AttributesDailyBench(), "--tracks", "200", "--segments", "10", "--repeat", "1",
        "--work-dir", new File(WORK, "attributes-daily").getPath());
    assertTrue(out, out.contains("attributes-daily (yesterday + incremental)"));
    assertTrue(out, out.contains("recompute from the full view"));
    assertTrue(out, Pattern.compile("both published the same [0-9,]+ rows").matcher(out).find());
  }

  @Test
  public void s3Import() throws Exception {
    String out = run(new S3ImportBench(), "--objects", "20", "--segments", "10", "--sequential-sample", "5",
        "--repeat", "1", "--large-document-mb", "0", "--work-dir", new File(WORK, "s3-import").getPath());
    assertTrue(out, out.contains("(a) sequential GET loop"));
    assertTrue(out, out.contains("s3-import, 1 map task"));
    assertTrue(out, Pattern.compile("import / GET only = [0-9.]+ median, [0-9.]+ best").matcher(out).find());
    assertTrue(out, Pattern.compile("client CPU per document \\(ms\\): import [0-9.]+").matcher(out).find());
    assertFalse(out, out.contains("smallest heap")); // the heap's bisection: 16 JVMs, the full command's alone
  }

  @Test
  public void importProjection() throws Exception {
    String out = run(new ImportProjectionBench(), "--documents", "400", "--chunks", "2", "--segments", "5",
        "--latency-ms", "5", "--work-dir", new File(WORK, "import-projection").getPath());
    assertTrue(out, out.contains("projection: 400 documents of"));
    assertTrue(out, Pattern.compile("400 documents in 2 chunks, one after another, 1 map slot\\(s\\): projected "
        + "[0-9.]+ s, measured [0-9.]+ s").matcher(out).find());
  }

  @Test
  public void packedSize() throws Exception {
    String out = run(new PackedSizeBench(), "--tracks", "5", "--segments", "10", "--repeat", "1");
    for (String codec : new String[] {"snappy", "null", "deflate-1", "deflate-6", "xz-1"}) {
      assertTrue(out, Pattern.compile("(?m)^" + codec + " +[0-9,]+ ").matcher(out).find());
    }
  }

  /** The benchmark commands of docs/benchmarks.md, with their -Dbench.class (or the pom's default) and -Dbench.args. */
  @Test
  public void everyBenchmarkCommandInTheReadmeParses() throws Exception {
    String readme = Files.readString(new File("../docs/benchmarks.md").toPath()).replace("\\\n", " ");
    Matcher pom = Pattern.compile("<bench.class>([^<]+)</bench.class>")
        .matcher(Files.readString(new File("pom.xml").toPath()));
    assertTrue(pom.find());
    String defaultClass = pom.group(1);
    Matcher command = Pattern.compile("(?m)^mvn [^\\n]*-Pbench[^\\n]*$").matcher(readme);
    List<String> classes = new ArrayList<>();
    while (command.find()) {
      String line = command.group();
      Matcher benchClass = Pattern.compile("-Dbench\\.class=(\\S+)").matcher(line);
      String className = benchClass.find() ? benchClass.group(1) : defaultClass;
      Matcher benchArgs = Pattern.compile("-Dbench\\.args=\"([^\"]*)\"").matcher(line);
      String[] args = benchArgs.find() ? benchArgs.group(1).trim().split("\\s+") : new String[0];
      Object bench = Class.forName(className).getDeclaredConstructor().newInstance();
      new CommandLine(bench).parseArgs(args); // throws on an unknown option or a bad value
      classes.add(className.substring(className.lastIndexOf('.') + 1));
    }
    assertFalse("no benchmark command found in docs/benchmarks.md", classes.isEmpty());
    for (String bench : new String[] {"SensorAveragesBench", "ImpressionsJoinBench", "AttributesDailyBench",
        "S3ImportBench", "PackedSizeBench"}) {
      assertTrue(bench + " has no command in docs/benchmarks.md: " + classes, classes.contains(bench));
    }
  }

  /** Runs a bench as its main would (without exiting), and returns what it printed. */
  private static String run(Callable<Integer> bench, String... args) {
    PrintStream console = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = new CommandLine(bench).execute(args);
    } finally {
      System.setOut(console);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    console.print(out);
    assertEquals(out, 0, status);
    return out;
  }
}
