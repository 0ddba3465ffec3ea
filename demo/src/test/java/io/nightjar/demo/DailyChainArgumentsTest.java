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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(APPS);
    List<String[]> commands = new ArrayList<>();
    DailyChain chain = recording(jobs, commands);
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

  /**
   * The demo runs each coordinator's job as its {@code workflow.xml} does: the same tools in the same order with the
   * same options, and the same values where the workflow's value is one of its parameters or the date. Hadoop's
   * {@code -D} settings are left out (the demo gives root, S3 and credentials through its configuration), and a value
   * the workflow computes with an EL function ({@code ${wf:conf(...)}}) matches any value.
   */
  @Test
  public void everyJobRunsTheCommandLinesOfItsWorkflow() throws Exception {
    Map<String, ChainDiagram.Job> jobs = ChainDiagram.read(APPS);
    List<String[]> commands = new ArrayList<>();
    DailyChain chain = recording(jobs, commands);
    List<String> differences = new ArrayList<>();
    for (String job : ChainDiagram.order(jobs)) {
      OozieApp app = OozieApp.of(APPS, job);
      Map<String, String> values = new HashMap<>(app.defaults());
      values.put("date", DAY.toString());
      commands.clear();
      chain.runJob(job, DAY, app.defaults());
      List<List<String>> demo = new ArrayList<>();
      for (String[] command : commands) {
        demo.add(withoutHadoopSettings(Arrays.asList(command)));
      }
      List<List<String>> workflow = new ArrayList<>();
      for (OozieApp.JavaAction action : app.javaActions()) {
        List<String> args = new ArrayList<>();
        for (String arg : withoutHadoopSettings(action.args)) {
          args.add(resolved(arg, values));
        }
        workflow.add(args);
      }
      if (!matches(workflow, demo)) {
        differences.add(job + ": workflow.xml runs " + workflow + ", the demo " + demo);
      }
    }
    assertEquals(String.join("\n", differences), List.of(), differences);
  }

  /** A chain under a scratch root whose tools only record their command lines into {@code commands}. */
  private DailyChain recording(Map<String, ChainDiagram.Job> jobs, List<String[]> commands) throws Exception {
    Configuration conf = new Configuration();
    conf.set(Dataset.ROOT_KEY, tmp.getRoot().getAbsolutePath());
    return new DailyChain(FileSystem.getLocal(conf), conf, new File("../testdata"), jobs).runningTools(args -> {
      commands.add(args);
      return 0;
    });
  }

  /** {@code command} without {@code -D key=value} pairs, {@code --option=value} split into two arguments. */
  private static List<String> withoutHadoopSettings(List<String> command) {
    List<String> args = new ArrayList<>();
    for (int i = 0; i < command.size(); i++) {
      String arg = command.get(i);
      if (arg.equals("-D")) {
        i++;
      } else if (arg.startsWith("--") && arg.contains("=")) {
        args.add(arg.substring(0, arg.indexOf('=')));
        args.add(arg.substring(arg.indexOf('=') + 1));
      } else {
        args.add(arg);
      }
    }
    return args;
  }

  /** {@code arg} with {@code ${parameter}} replaced by its value; {@code *} for any other EL expression. */
  private static String resolved(String arg, Map<String, String> values) {
    Matcher parameter = Pattern.compile("\\$\\{(\\w+)}").matcher(arg);
    if (parameter.matches() && values.containsKey(parameter.group(1))) {
      return values.get(parameter.group(1));
    }
    return arg.contains("${") ? "*" : arg;
  }

  private static boolean matches(List<List<String>> workflow, List<List<String>> demo) {
    if (workflow.size() != demo.size()) {
      return false;
    }
    for (int c = 0; c < workflow.size(); c++) {
      List<String> expected = workflow.get(c);
      List<String> actual = demo.get(c);
      if (expected.size() != actual.size()) {
        return false;
      }
      for (int i = 0; i < expected.size(); i++) {
        if (!expected.get(i).equals("*") && !expected.get(i).equals(actual.get(i))) {
          return false;
        }
      }
    }
    return true;
  }
}
