package io.nightjar.common.tool;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.Tool;
import org.apache.hadoop.util.ToolRunner;
import org.slf4j.LoggerFactory;

/**
 * A jar's tools by name, each with a one-line description: what its {@code Main} runs, and the list it prints without
 * a tool name. Exit status: 0 success, 1 failure (a one-line reason on stderr), 2 usage (the reason, one line, last on
 * stderr).
 */
public final class ToolTable {

  private final String usage;
  private final Map<String, Supplier<Tool>> tools = new LinkedHashMap<>();
  private final Map<String, String> descriptions = new LinkedHashMap<>();

  /** {@code usage}: the command line printed above the list, e.g. {@code hadoop jar nightjar-jobs.jar}. */
  public ToolTable(String usage) {
    this.usage = usage;
  }

  public ToolTable register(String name, String description, Supplier<Tool> tool) {
    tools.put(name, tool);
    descriptions.put(name, description);
    return this;
  }

  /** A new instance of the tool {@code name}, or null when there is no such tool. */
  public Tool tool(String name) {
    Supplier<Tool> tool = tools.get(name);
    return tool == null ? null : tool.get();
  }

  /** The client's configuration: in an Oozie java action the action's {@code <configuration>} arrives as a file. */
  public static Configuration clientConfiguration() {
    Configuration conf = new Configuration();
    String oozieActionConf = System.getProperty("oozie.action.conf.xml");
    if (oozieActionConf != null) {
      conf.addResource(new Path("file:///", oozieActionConf));
    }
    return conf;
  }

  /** Runs a tool by name ({@code args[0]}); without one, or with {@code --help}, lists the tools. */
  public int run(Configuration conf, String... args) {
    if (args.length == 0 || !tools.containsKey(args[0])) {
      if (args.length > 0 && !args[0].equals("--help") && !args[0].equals("-h")) {
        System.err.println("nightjar: unknown tool '" + args[0] + "'");
      }
      System.err.println("Usage: " + usage + " <tool> [-D key=value ...] [options]");
      System.err.println("Tools:");
      descriptions.forEach((name, text) -> System.err.printf("  %-26s %s%n", name, text));
      System.err.println("Run a tool with --help for its options.");
      return args.length == 0 || args[0].equals("--help") || args[0].equals("-h") ? 0 : 2;
    }
    String name = args[0];
    return run(name, tools.get(name), conf, Arrays.copyOfRange(args, 1, args.length));
  }

  /**
   * Runs one tool: whatever escapes it, linkage errors included (a class of the wrong version on the classpath),
   * ends as one line on stderr and exit status 1; the stack trace goes to the log.
   */
  public static int run(String name, Supplier<Tool> tool, Configuration conf, String... args) {
    try {
      return ToolRunner.run(conf, tool.get(), args);
    } catch (UsageException e) {
      System.err.println(name + ": " + e.getMessage() + " (try '" + name + " --help')");
      return 2;
    } catch (JobFailedException e) {
      System.err.println(name + " failed: " + e.getMessage());
      return 1;
    } catch (Exception | LinkageError e) {
      LoggerFactory.getLogger(ToolTable.class).error(name + " failed", e);
      Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
      System.err.println(name + " failed: " + cause);
      return 1;
    }
  }
}
