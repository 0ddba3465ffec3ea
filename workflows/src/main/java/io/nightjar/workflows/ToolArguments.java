package io.nightjar.workflows;

import io.nightjar.jobs.Main;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.util.Tool;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Checks a nightjar command line ({@code <tool> [-D key=value ...] [options]}, as an Oozie java action or the demo
 * passes it to {@link Main}) against the options the tool declares, so a workflow cannot drift from its job: the
 * tool exists, every option is one the tool declares (picocli), every required option is given, and Hadoop's
 * generic options ({@code -D}, {@code -conf}, {@code -fs}, {@code -libjars}, {@code -files}, {@code -archives}) come
 * before the tool's own. Values are not checked: in a workflow they are EL expressions.
 */
public final class ToolArguments {

  private static final Set<String> GENERIC_OPTIONS = Set.of("-D", "-conf", "-fs", "-jt", "-libjars", "-files",
      "-archives");

  private ToolArguments() {
  }

  /** What is wrong with {@code command} (the tool's name first), one line each, each starting with {@code where}. */
  public static List<String> problems(String where, List<String> command) {
    List<String> problems = new ArrayList<>();
    Tool tool = command.isEmpty() ? null : Main.tool(command.get(0));
    if (tool == null) {
      problems.add(where + ": runs unknown tool '" + (command.isEmpty() ? "" : command.get(0)) + "'");
      return problems;
    }
    String name = command.get(0);
    CommandSpec spec = new CommandLine(tool).getCommandSpec();
    Set<OptionSpec> given = new HashSet<>();
    boolean toolOptionsStarted = false;
    for (int i = 1; i < command.size(); i++) {
      String arg = command.get(i);
      if (GENERIC_OPTIONS.contains(arg)) {
        if (toolOptionsStarted) {
          problems.add(where + ": Hadoop option " + arg + " after " + name + "'s own options is not read as one");
        }
        i++;
        continue;
      }
      if (!arg.startsWith("-")) {
        toolOptionsStarted = true; // a positional parameter
        continue;
      }
      toolOptionsStarted = true;
      String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      OptionSpec declared = spec.findOption(option);
      if (declared == null) {
        problems.add(where + ": " + name + " has no option " + option);
        continue;
      }
      given.add(declared);
      if (!arg.contains("=") && declared.arity().min() > 0) {
        i += declared.arity().min();
      }
    }
    for (OptionSpec option : spec.options()) {
      if (option.required() && !given.contains(option)) {
        problems.add(where + ": " + name + " needs option " + option.longestName());
      }
    }
    return problems;
  }
}
