package io.nightjar.common.tool;

import io.nightjar.common.avro.AvroWriters;
import io.nightjar.common.crunch.MapReduceConfig;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.DatasetLease;
import io.nightjar.common.dataset.Manifest;
import io.nightjar.common.dataset.Publication;
import io.nightjar.common.dataset.RecordAccounting;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.util.Tool;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine;

/**
 * Base of every nightjar tool: a Hadoop {@link Tool}, so {@code -D}, {@code -conf}, {@code -libjars} and
 * {@code -fs} work as usual through {@code ToolRunner}, with the tool's own options parsed by picocli from what
 * remains. Subclasses are picocli {@code @Command}s: they declare their options (the day and project through the
 * {@link DayOption} and {@link ProjectOption} mixins), resolve what they will read and write once in {@link #plan()}
 * (described by {@code --dry-run} and logged at start), and do the work in {@link #execute(Plan)} with that plan,
 * so inputs are listed, globbed and sized once per run. A tool that publishes one day of a dataset extends
 * {@link DailyJobTool}, which owns the run's frame, and gives only its data flow.
 * Options with a fixed set of values are typed as enums: picocli converts them (in any case) and refuses others as a
 * usage error, listing the values.
 *
 * <p>Exit codes: 0 success, 1 failure (the caller prints the one-line reason), 2 usage error.
 */
public abstract class NightjarTool<P extends NightjarTool.Plan> extends Configured implements Tool {

  /** What a run reads and writes, resolved once: {@code --dry-run} prints it, the run logs it and works from it. */
  @FunctionalInterface
  public interface Plan {
    /** Label to path or value, in the order a reader expects. */
    LinkedHashMap<String, Object> describe();

    /** A plan that is only its description (a tool with nothing to resolve ahead). */
    static Plan of(LinkedHashMap<String, Object> lines) {
      return () -> lines;
    }
  }

  @Option(names = "--root", paramLabel = "PATH",
      description = "Root of all datasets (sets " + Dataset.ROOT_KEY + "; default "
          + Dataset.DEFAULT_ROOT + " on the default file system).")
  private String root;

  @Option(names = "--dry-run", description = "Print the resolved input and output paths and exit.")
  protected boolean dryRun;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  private boolean help;

  protected PrintStream out = System.out;
  protected PrintStream err = System.err;

  /** Crunch's cap on the interval between polls of a running job's status. */
  public static final String MAX_POLL_INTERVAL_KEY = "crunch.max.poll.interval";
  /**
   * Crunch's {@code RuntimeParameters.DISABLE_DEEP_COPY}, spelled out: javac keeps a class constant of the class an
   * inlined constant came from, and the job jar's relocation leaves that constant unrelocated (a test checks the two
   * agree).
   */
  static final String DISABLE_DEEP_COPY_KEY = "crunch.disable.deep.copy";
  /** The cap, chosen for a cluster, where each poll is a call to the job's application master. */
  public static final long DEFAULT_MAX_POLL_INTERVAL_MS = 250;
  /**
   * How long an HDFS client waits before it asks the NameNode again to complete a file it is closing (and to add a
   * block after the last one), doubling at each retry: Hadoop's 400 ms.
   */
  public static final String HDFS_CLOSE_INITIAL_DELAY_KEY =
      "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";
  /** How many times it asks again before it gives up: Hadoop's 5. */
  public static final String HDFS_CLOSE_RETRIES_KEY = "dfs.client.block.write.locateFollowingBlock.retries";
  /** nightjar's first wait: 25 ms; with {@value #HDFS_CLOSE_RETRIES} retries it waits 12.8 s in all, Hadoop 12.4 s. */
  public static final long HDFS_CLOSE_INITIAL_DELAY_MS = 25;
  public static final int HDFS_CLOSE_RETRIES = 9;
  /** Hadoop's interval between progress polls of a plain MapReduce job waited for with progress (1 s). */
  public static final String PROGRESS_POLL_INTERVAL_KEY = "mapreduce.client.progressmonitor.pollinterval";

  @Override
  public final int run(String[] args) throws Exception {
    // Enum-typed options take their constants in any case (--strategy mapside, --granularity DAY).
    CommandLine commandLine = new CommandLine(this).setCaseInsensitiveEnumValuesAllowed(true);
    try {
      commandLine.parseArgs(args);
    } catch (ParameterException e) {
      // One line, the reason last on stderr, as for every other failure.
      err.println(commandLine.getCommandName() + ": " + e.getMessage().strip().replace('\n', ' ') + " (try '"
          + commandLine.getCommandName() + " --help')");
      return 2;
    }
    if (commandLine.isUsageHelpRequested()) {
      List<String> footer = new ArrayList<>(List.of("", "Configuration (-D key=value, before the tool's options):"));
      configurationKeys().forEach(line -> footer.add("  " + line));
      footer.add("Inputs, outputs and what happens to bad input: docs/tools.md in nightjar's source; running it on a "
          + "cluster: docs/running.md.");
      commandLine.getCommandSpec().usageMessage().footer(footer.toArray(new String[0])).width(120);
      commandLine.usage(out);
      return 0;
    }
    Configuration conf = getConf();
    // Who made what it publishes: every manifest names the tool, its arguments and the run.
    conf.set(Manifest.TOOL_KEY, commandLine.getCommandName());
    Manifest.setArguments(conf, args);
    conf.set(Manifest.RUN_ID_KEY, UUID.randomUUID().toString());
    conf.setLong(Manifest.START_KEY, System.currentTimeMillis());
    if (root != null) {
      conf.set(Dataset.ROOT_KEY, root);
    }
    // Crunch deep-copies every record a DoFn emits to more than one consumer, in case a consumer mutates it or holds
    // on to it. nightjar's DoFns do neither (the rules every DoFn follows: docs/architecture.md); the copies cost a
    // third of map time.
    conf.setIfUnset(DISABLE_DEEP_COPY_KEY, "true");
    AvroWriters.configure(conf);
    // Closing an HDFS file asks the NameNode to complete it, which it refuses until a DataNode has reported the last
    // block; the client then sleeps 400 ms before it asks again (DFSOutputStream.completeFile). A run closes one file
    // a task output, and the manifest, accounting and flags of each day: shorter first waits, as long a wait in all.
    if (!MapReduceConfig.setOutsideDefaults(conf, HDFS_CLOSE_INITIAL_DELAY_KEY)
        && !MapReduceConfig.setOutsideDefaults(conf, HDFS_CLOSE_RETRIES_KEY)) {
      conf.setLong(HDFS_CLOSE_INITIAL_DELAY_KEY, HDFS_CLOSE_INITIAL_DELAY_MS);
      conf.setInt(HDFS_CLOSE_RETRIES_KEY, HDFS_CLOSE_RETRIES);
    }
    // Crunch notices a finished MapReduce job at its next poll, backing off up to crunch.max.poll.interval (Crunch's
    // own: 1 s in local mode, 10 s on a cluster), and sleeps one more interval before it returns (MRExecutor's monitor
    // loop polls, then waits). Local runs (demo, tests, benchmarks) set shorter polls themselves (testkit LocalSpeed).
    conf.setIfUnset(MAX_POLL_INTERVAL_KEY, Long.toString(DEFAULT_MAX_POLL_INTERVAL_MS));
    P plan = plan();
    if (dryRun) {
      plan.describe().forEach((what, where) -> out.println(what + ": " + where));
      return 0;
    }
    plan.describe().forEach((what, where) -> LoggerFactory.getLogger(getClass()).info("{}: {}", what, where));
    return execute(plan);
  }

  /**
   * The {@code -D} keys this tool reads, one "key (default): meaning" line each, for {@code --help}. Tools add theirs
   * to these, which every publishing tool reads.
   */
  protected List<String> configurationKeys() {
    return List.of(
        Dataset.ROOT_KEY + " (" + Dataset.DEFAULT_ROOT + "): root of all datasets; --root sets it",
        RecordAccounting.MAX_QUARANTINE_FRACTION_KEY + " (" + RecordAccounting.DEFAULT_MAX_QUARANTINE_FRACTION
            + "): largest fraction of input quarantined before the day is refused",
        DatasetLease.WAIT_SECONDS_KEY + " (0): wait this long for another run of the same day instead of refusing",
        DatasetLease.MAX_AGE_HOURS_KEY + " (" + DatasetLease.DEFAULT_MAX_AGE_HOURS
            + "): a lease older than this is stale and taken over",
        DatasetLease.UNWRITTEN_GRACE_SECONDS_KEY + " (" + DatasetLease.DEFAULT_UNWRITTEN_GRACE_SECONDS
            + "): a lease file naming no holder (its run died while writing it) older than this is stale",
        Publication.GRACE_HOURS_KEY + " (" + Publication.DEFAULT_GRACE_HOURS
            + "): hours a replaced day stays readable for readers that opened it",
        MAX_POLL_INTERVAL_KEY + " (" + DEFAULT_MAX_POLL_INTERVAL_MS
            + " ms; Crunch's own: 10 s, 1 s in local mode): longest wait between polls of a running job's status",
        PROGRESS_POLL_INTERVAL_KEY + " (Hadoop's 1 s): the same for a plain MapReduce job");
  }

  /**
   * Resolves what the run reads and writes (input listings, globs, sizes): called once, before {@code --dry-run}
   * prints it or {@link #execute(Plan)} runs with it.
   */
  protected abstract P plan() throws Exception;

  /**
   * Does the work with the resolved {@code plan}; returns the exit code or throws ({@link JobFailedException} for
   * expected failures).
   */
  protected abstract int execute(P plan) throws Exception;
}
