package io.nightjar.common.tool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.nightjar.common.dataset.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pipeline;
import org.apache.crunch.fn.IdentityFn;
import org.apache.crunch.io.From;
import org.apache.crunch.test.TemporaryPath;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The frame of a daily job around a trivial flow (lines copied), on the local file system and job runner. */
public class DailyJobToolTest {

  private static final LocalDate DAY = LocalDate.parse("2016-05-01");

  @Rule
  public final TemporaryPath tmp = new TemporaryPath();

  private Configuration conf;
  private FileSystem fs;
  private Dataset lines;
  private String input;

  @Before
  public void setUp() throws IOException {
    conf = tmp.getDefaultConfiguration();
    conf.set(Dataset.ROOT_KEY, tmp.getRootFileName());
    fs = FileSystem.getLocal(conf);
    lines = Dataset.of(conf, "test", "lines");
    input = tmp.getFileName("input.txt");
    Files.write(java.nio.file.Paths.get(input), List.of("a", "b", "c"), StandardCharsets.UTF_8);
  }

  @Test
  public void publishesTheFlowWithItsReportAndPrintsOneSummaryLine() throws Exception {
    CopyLines tool = new CopyLines();
    assertEquals(0, run(tool, "--input", input));

    assertTrue(lines.isPublished(fs, DAY));
    assertTrue(lines.isQuarantinePublished(fs, DAY));
    assertTrue(fs.exists(new Path(lines.dayPath(DAY), "_report.txt")));
    assertEquals("copy-lines " + DAY + ": published " + lines.dayPath(DAY) + " (1 run; report of 1 run)\n",
        tool.printed());
  }

  @Test
  public void aClosedGateKeepsTheDataAndPublishesTheQuarantine() throws Exception {
    try {
      run(new CopyLines(), "--input", input, "--refuse");
      fail("published through a closed gate");
    } catch (JobFailedException e) {
      assertEquals("refused", e.getMessage());
    }
    assertFalse(lines.isPublished(fs, DAY));
    assertTrue(lines.isQuarantinePublished(fs, DAY));
  }

  /**
   * A rerun that cannot move the published day aside (an immutable folder, a permission) publishes nothing: the
   * quarantine it had replaced first is put back, so the day and its quarantine still agree. Before, the rerun's
   * quarantine stayed beside the old day.
   */
  @Test
  public void aRerunThatCannotReplaceTheDayLeavesItsQuarantineAsItWas() throws Exception {
    assertEquals(0, run(new CopyLines(), "--input", input));
    Path marker = new Path(lines.quarantinePath(DAY), "published-with-the-first-run");
    fs.create(marker).close();
    conf.setClass("fs.file.impl", RenameRefusingLocalFileSystem.class, FileSystem.class);
    conf.setBoolean("fs.file.impl.disable.cache", true);
    RenameRefusingLocalFileSystem.refused = lines.dayPath(DAY).toUri().getPath();
    try {
      run(new CopyLines(), "--input", input);
      fail("the day could not be moved aside, yet the rerun succeeded");
    } catch (Exception e) {
      assertTrue(e.toString(), String.valueOf(e.getMessage()).contains("could not move the previous"));
    } finally {
      RenameRefusingLocalFileSystem.refused = null;
    }
    assertTrue("the first run's quarantine is back", fs.exists(marker));
    assertTrue(lines.isPublished(fs, DAY));
  }

  /** The local file system, refusing to rename one path (as HDFS does an immutable or unwritable one). */
  public static final class RenameRefusingLocalFileSystem extends org.apache.hadoop.fs.LocalFileSystem {
    static volatile String refused;

    @Override
    public boolean rename(Path src, Path dst) throws java.io.IOException {
      if (src.toUri().getPath().equals(refused)) {
        return false;
      }
      return super.rename(src, dst);
    }
  }

  /**
   * Several days from one read: each is published on its own, and a refused day is named last, after the others are
   * published and the runs reported.
   */
  @Test
  public void severalDaysArePublishedEachOnItsOwnAndTheRefusedAreNamedLast() throws Exception {
    CopyLines tool = new CopyLines();
    LocalDate next = DAY.plusDays(1);
    try {
      run(tool, "--input", input, "--days", "2", "--refuse-day", next.toString());
      fail("a refused day went unnoticed");
    } catch (JobFailedException e) {
      assertEquals("1 of 2 days not published: " + next + ": refused " + next, e.getMessage());
    }
    assertTrue(lines.isPublished(fs, DAY));
    assertTrue(fs.exists(new Path(lines.dayPath(DAY), "_report.txt")));
    assertFalse(lines.isPublished(fs, next));
    assertTrue("a refused day's quarantine is published", lines.isQuarantinePublished(fs, next));
    assertEquals("the runs are reported once, before the refusal", 1, tool.finished);
    assertEquals("copy-lines " + DAY + ": published " + lines.dayPath(DAY) + " (1 run; report of 1 run)\n",
        tool.printed());
  }

  @Test
  public void aDayThatIsNotReadyRunsNothing() throws Exception {
    CopyLines tool = new CopyLines();
    assertEquals(0, run(tool, "--input", input, "--nothing-to-do"));
    assertFalse(fs.exists(lines.path()));
    assertEquals("", tool.printed());
  }

  private int run(CopyLines tool, String... args) throws Exception {
    tool.setConf(new Configuration(conf));
    return tool.run(args);
  }

  /** Copies the lines of {@code --input} into the day of dataset {@code test/lines}. */
  @Command(name = "copy-lines")
  static final class CopyLines extends DailyJobTool<CopyLines.Day> {

    @Option(names = "--input")
    private String input;

    @Option(names = "--refuse")
    private boolean refuse;

    @Option(names = "--nothing-to-do")
    private boolean nothingToDo;

    @Option(names = "--days")
    private int days = 1;

    @Option(names = "--refuse-day")
    private LocalDate refuseDay;

    private int finished;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    CopyLines() {
      out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    }

    String printed() {
      return printed.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    record Day(Path input, Dataset output, LocalDate date, List<LocalDate> days) implements DailyPlan {
      @Override
      public LinkedHashMap<String, Object> describe() {
        LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
        plan.put("input", input);
        plan.put("output", output.dayPath(date));
        return plan;
      }
    }

    @Override
    protected Day plan() throws IOException {
      List<LocalDate> dates = new java.util.ArrayList<>();
      for (int i = 0; i < days; i++) {
        dates.add(DAY.plusDays(i));
      }
      return new Day(new Path(input), Dataset.of(getConf(), "test", "lines"), DAY, dates);
    }

    @Override
    protected boolean ready(Day plan) {
      return !nothingToDo;
    }

    @Override
    protected Flow flow(Pipeline pipeline, Day plan) {
      PCollection<String> copied = pipeline.read(From.textFile(plan.input()))
          .parallelDo(IdentityFn.<String>getInstance(), Avros.strings());
      Flow flow = plan.days().size() == 1 ? Flow.of(copied) : Flow.ofDays(day -> copied, day -> null);
      return flow.gateOfDay(day -> accounting -> {
        if (refuse) {
          throw new JobFailedException("refused");
        }
        if (day.equals(refuseDay)) {
          throw new JobFailedException("refused " + day);
        }
      }).report(runs -> new Report() {
        @Override
        public void writeInto(FileSystem fs, Path stagingDir) throws IOException {
          try (OutputStream report = fs.create(new Path(stagingDir, "_report.txt"))) {
            report.write(summary().getBytes(StandardCharsets.UTF_8));
          }
        }

        @Override
        public String summary() {
          return "report of " + runs.size() + " run";
        }
      });
    }

    @Override
    protected String published(Day plan, Run run) {
      return "(" + run.results().size() + " run; " + run.report().summary() + ")";
    }

    @Override
    protected void finished(Day plan, List<org.apache.crunch.PipelineResult> runs) {
      finished++;
    }
  }
}
