package io.nightjar.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.nightjar.common.dataset.Dataset;
import io.nightjar.workflows.ChainDiagram;
import io.nightjar.workflows.OozieApp;
import io.nightjar.workflows.ToolArguments;
import java.io.File;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The command lines the demo's {@link DailyChain} runs, checked against the options each tool declares (as
 * {@code OozieAppsTest} checks the workflows'), without running them: every coordinator's job on a compaction day with
 * its workflow's defaults, a bulk-import chunk and a show.
 */
public class DailyChainArgumentsTest {

  private static final File APPS = new File("../workflows");
  /** A Sunday: tracks-daily compacts on its compactionWeekday (Sun) too. */
  private static final LocalDate DAY = LocalDate.of(2024, 3, 3);

  @Rule
  public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void everyCommandLineUsesOnlyDeclaredOptions() throws Exception {
    assertEquals(DayOfWeek.SUNDAY, DAY.getDayOfWeek());
    Configuration conf = new Configuration();
    conf.set(Dataset.ROOT_KEY, tmp.getRoot().getAbsolutePath());
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(APPS);
    List<String[]> commands = new ArrayList<>();
    DailyChain chain = new DailyChain(FileSystem.getLocal(conf), conf, new File("../testdata"), jobs)
        .runningTools(args -> {
          commands.add(args);
          return 0;
        });
    for (String job : ChainDiagram.order(jobs)) {
      chain.runJob(job, DAY, OozieApp.of(APPS, job).defaults());
    }
    chain.importChunk(DAY, 0);
    chain.show("sensors/sensor-averages", DAY);

    List<String> problems = new ArrayList<>();
    Set<String> tools = new LinkedHashSet<>();
    for (String[] command : commands) {
      tools.add(command[0]);
      problems.addAll(ToolArguments.problems("DailyChain " + command[0], Arrays.asList(command)));
    }
    assertTrue(tools.toString(), tools.containsAll(List.of("sensor-averages", "impressions-join", "s3-import",
        "analysis-compact", "attributes-daily", "analysis-retire", "show")));
    assertEquals(String.join("\n", problems), List.of(), problems);
  }
}
