package io.nightjar.jobs.ads;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.Impression;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.crunch.ShuffleSettings;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.tool.DailyJobTool;
import io.nightjar.common.tool.DayOption;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.ProjectOption;
import io.nightjar.common.tool.UsageException;
import io.nightjar.jobs.Catalog;
import io.nightjar.jobs.ads.ImpressionsJoin.Strategy;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pair;
import org.apache.crunch.Pipeline;
import org.apache.crunch.Tuple3;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code impressions-join}: one day of ad impressions left-outer-joined with the latest ad metadata snapshot into
 * {@code <root>/<project>/enriched-impressions/<date>/}, with a skew report of the join beside the output.
 */
@Command(name = "impressions-join", sortOptions = false,
    description = "Join one day of ad impressions with ad metadata (left outer), skew-aware, with a skew report.")
public final class ImpressionsJoinTool extends DailyJobTool<ImpressionsJoinTool.Resolved> {

  private static final Logger LOG = LoggerFactory.getLogger(ImpressionsJoinTool.class);

  public ImpressionsJoinTool() {
    super(ShuffleSettings::everyRecordShuffled);
  }

  @Mixin
  private DayOption date;

  @Mixin
  private final ProjectOption project = new ProjectOption(Catalog.ADS);

  @Option(names = "--impressions", paramLabel = "PATH",
      description = "Impressions (Avro) to read (default: <root>/<project>/impressions/<date>).")
  private String impressionsPath;

  @Option(names = "--metadata", paramLabel = "PATH",
      description = "Ad metadata (Avro) (default: the latest published day of <root>/<project>/ad-metadata on or before --date).")
  private String metadataPath;

  @Option(names = "--strategy", defaultValue = "auto",
      description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: mapside when the metadata is at most "
          + "--mapside-max-bytes, else adaptive).")
  private Strategy strategy;

  @Option(names = "--reducers", paramLabel = "N",
      description = "Reduce tasks of the join; adaptive: the most it uses (default: -D mapreduce.job.reduces when "
          + "the cluster's or the run's configuration sets it above 1, else " + DEFAULT_REDUCERS + ").")
  private Integer reducers;

  public static final int DEFAULT_REDUCERS = 10;
  /** Hadoop's key for a job's reduce tasks (1 unless a site or a run sets it). */
  static final String JOB_REDUCES_KEY = "mapreduce.job.reduces";

  @Option(names = "--shards", description = "sharded: shards per ad (default: --reducers).")
  private Integer shards;

  @Option(names = "--sample-fraction", defaultValue = "0.01",
      description = "adaptive: fraction of the impressions files' Avro blocks read (in the client) to estimate per-ad "
          + "counts (default: ${DEFAULT-VALUE}).")
  private double sampleFraction;

  @Option(names = "--rows-per-reducer", defaultValue = "" + DEFAULT_ROWS_PER_REDUCER,
      description = "adaptive: fewer reduce tasks than --reducers only on a day too small to give each this many "
          + "estimated impressions (one per this many; default: ${DEFAULT-VALUE}, so a day of 1 M impressions uses "
          + "as many reducers as the default strategy and spreads its hot ads over them).")
  private long rowsPerReducer;

  static final long DEFAULT_ROWS_PER_REDUCER = 100_000;

  @Option(names = "--shard-target", defaultValue = "0.25",
      description = "adaptive: rows per shard as a fraction of the mean rows per reducer (default: ${DEFAULT-VALUE}).")
  private double shardTarget;

  @Option(names = "--mapside-max-bytes", defaultValue = "33554432",
      description = "auto: largest metadata (bytes on disk) joined map-side (default: ${DEFAULT-VALUE}).")
  private long mapsideMaxBytes;

  @Option(names = "--dataset", defaultValue = Catalog.ENRICHED_IMPRESSIONS, description = "Output dataset (default: ${DEFAULT-VALUE}).")
  private String dataset;

  /** The day's inputs, located and (with auto) sized once. */
  record Resolved(Path impressions, Path metadata, Strategy strategy, String why, Dataset output, LocalDate date)
      implements DailyPlan {
    @Override
    public LinkedHashMap<String, Object> describe() {
      LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
      plan.put("impressions", impressions);
      plan.put("metadata", metadata);
      plan.put("strategy", strategy + " (" + why + ")");
      plan.put("output", output.dayPath(date));
      plan.put("quarantine", output.quarantinePath(date));
      plan.put("skew report", new Path(output.dayPath(date), SkewReport.SVG_FILE));
      return plan;
    }
  }

  @Override
  protected Resolved plan() throws IOException {
    if (reducers == null) {
      int configured = getConf().getInt(JOB_REDUCES_KEY, 1);
      reducers = configured > 1 ? configured : DEFAULT_REDUCERS;
    }
    if (rowsPerReducer < 1 || reducers < 1) {
      throw new UsageException("--reducers and --rows-per-reducer must be at least 1, not " + reducers + " and "
          + rowsPerReducer);
    }
    // With auto the metadata is found and sized before the impressions are looked for.
    Path metadata = strategy == Strategy.AUTO ? metadata() : null;
    Pair<Strategy, String> resolved = resolveStrategy(metadata);
    Path impressions = impressions();
    return new Resolved(impressions, metadata != null ? metadata : metadata(), resolved.first(), resolved.second(),
        Dataset.of(getConf(), project.get(), dataset), date.get());
  }

  @Override
  protected Flow flow(Pipeline pipeline, Resolved resolved) throws IOException {
    PCollection<Impression> raw =
        Dataset.readAvro(pipeline, resolved.impressions(), Avros.specifics(Impression.class));
    Sharding sharding = sharding(resolved);
    ShardPlan plan = sharding.plan();
    int joinReducers = sharding.reducers();
    Pair<PCollection<Impression>, PCollection<QuarantineRecord>> checked =
        ImpressionsJoin.checkImpressions(raw, resolved.date());
    // mapside: each map task reads the metadata files itself, so the day is one map-only job.
    Pair<PCollection<EnrichedImpression>, PCollection<Tuple3<String, String, Long>>> joined =
        resolved.strategy() == Strategy.MAPSIDE
            ? ImpressionsJoin.joinMapside(Dataset.readableAvro(pipeline.getConfiguration(), resolved.metadata(),
                Avros.specifics(AdMetadata.class)), checked.first())
            : ImpressionsJoin.joinRows(Dataset.readAvro(pipeline, resolved.metadata(),
                Avros.specifics(AdMetadata.class)), checked.first(), resolved.strategy(), plan, joinReducers);
    Iterable<Tuple3<String, String, Long>> taskLoads = joined.second().materialize();
    return Flow.of(joined.first(), checked.second()).reads(resolved.impressions(), resolved.metadata())
        .report(runs -> SkewReport.of(runs, taskLoads, resolved.strategy().toString(), resolved.why(),
            plan == null ? "-" : plan.toString(), joinReducers, sharding.defaultLargestEstimate()));
  }

  @Override
  protected List<String> configurationKeys() {
    List<String> keys = new ArrayList<>(super.configurationKeys());
    keys.add(ShuffleSettings.SORT_MB_HELP);
    keys.add(ShuffleSettings.REDUCE_INPUT_BUFFER_HELP);
    return keys;
  }

  @Override
  protected String published(Resolved resolved, Run run) {
    LOG.info("skew: {}", run.report().summary());
    return String.format("(%d impressions, %d of unknown ads); %d quarantined; %s; skew report %s",
        run.accounting().out(), run.counters(ImpressionsJoin.JOIN_GROUP).getOrDefault(ImpressionsJoin.UNKNOWN_AD, 0L),
        run.accounting().quarantined(), run.report().summary(),
        new Path(resolved.output().dayPath(resolved.date()), SkewReport.SVG_FILE));
  }

  /** The join's shard plan (none for default and mapside) and its reduce tasks. */
  record Sharding(ShardPlan plan, int reducers, long defaultLargestEstimate) {
    Sharding(ShardPlan plan, int reducers) {
      this(plan, reducers, -1);
    }
  }

  private Sharding sharding(Resolved resolved) throws IOException {
    switch (resolved.strategy()) {
      case SHARDED:
        return new Sharding(ShardPlan.uniform(shards != null ? shards : reducers), reducers);
      case ADAPTIVE:
        Map<String, Long> estimates = ImpressionsJoin.estimateCounts(getConf(), resolved.impressions(), sampleFraction,
            20160501L);
        long total = estimates.values().stream().mapToLong(Long::longValue).sum();
        int coalesced = coalescedReducers(total, rowsPerReducer, reducers);
        long target = Math.max(1, (long) (total / (double) coalesced * shardTarget));
        ShardPlan plan = ShardPlan.adaptive(estimates, target, coalesced);
        LOG.info("adaptive: ~{} impressions estimated from {} of the files' blocks; {} reducers (one per {} rows, at "
            + "most --reducers {}); {} rows per shard target: {}", total, sampleFraction, coalesced, rowsPerReducer,
            reducers, target, plan);
        // What the default strategy's busiest reducer would hold, for the report to compare with.
        long defaultLargest = ShardPlan.largestUnshardedLoad(estimates, reducers);
        return new Sharding(plan, coalesced, defaultLargest);
      default:
        return new Sharding(null, reducers);
    }
  }

  /**
   * Reduce tasks for {@code estimatedRows}: one per {@code rowsPerReducer}, at least one and at most {@code reducers}
   * (Spark's adaptive execution coalesces shuffle partitions to an advisory size the same way).
   */
  static int coalescedReducers(long estimatedRows, long rowsPerReducer, int reducers) {
    long wanted = (estimatedRows + rowsPerReducer - 1) / Math.max(1, rowsPerReducer);
    return (int) Math.max(1, Math.min(reducers, wanted));
  }

  private Pair<Strategy, String> resolveStrategy(Path metadata) throws IOException {
    if (strategy != Strategy.AUTO) {
      return Pair.of(strategy, "chosen with --strategy");
    }
    long bytes = metadata.getFileSystem(getConf()).getContentSummary(metadata).getLength();
    return bytes <= mapsideMaxBytes
        ? Pair.of(Strategy.MAPSIDE, "auto: metadata is " + bytes + " bytes <= --mapside-max-bytes " + mapsideMaxBytes)
        : Pair.of(Strategy.ADAPTIVE, "auto: metadata is " + bytes + " bytes > --mapside-max-bytes " + mapsideMaxBytes);
  }

  /** The day's impressions; from the dataset only once the delivery is finished (its {@code _SUCCESS}). */
  private Path impressions() throws IOException {
    if (impressionsPath != null) {
      return qualified(impressionsPath);
    }
    Dataset impressions = Dataset.of(getConf(), project.get(), Catalog.IMPRESSIONS);
    if (!impressions.isPublished(impressions.path().getFileSystem(getConf()), date.get())) {
      throw new JobFailedException("impressions of " + date.get() + " not finished: no "
          + impressions.dayPath(date.get()) + "/"
          + Dataset.SUCCESS_FLAG + " (an upstream day counts once it has its flag, as for the ad metadata)");
    }
    return impressions.dayPath(date.get());
  }

  private Path metadata() throws IOException {
    if (metadataPath != null) {
      return qualified(metadataPath);
    }
    Dataset snapshots = Dataset.of(getConf(), project.get(), Catalog.AD_METADATA);
    FileSystem fs = snapshots.path().getFileSystem(getConf());
    LocalDate latest = snapshots.latestPublishedOnOrBefore(fs, date.get()).orElseThrow(() -> new JobFailedException(
        "no published ad metadata in " + snapshots + " on or before " + date.get()));
    return snapshots.dayPath(latest);
  }

  private Path qualified(String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(getConf()).makeQualified(p);
  }
}
