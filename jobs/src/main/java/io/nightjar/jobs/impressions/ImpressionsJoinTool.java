package io.nightjar.jobs.impressions;

import io.nightjar.common.AvroInputCheck;
import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.Impression;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.common.DailyPublication;
import io.nightjar.common.Dataset;
import io.nightjar.common.JobFailedException;
import io.nightjar.common.NightjarTool;
import io.nightjar.common.RecordAccounting;
import io.nightjar.jobs.impressions.ImpressionsJoin.Strategy;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.crunch.PCollection;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineExecution;
import org.apache.crunch.Tuple3;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.impl.mr.MRPipeline;
import org.apache.crunch.io.From;
import org.apache.crunch.io.To;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code impressions-join}: one day of ad impressions left-outer-joined with the latest ad metadata snapshot into
 * {@code <root>/<project>/enriched-impressions/<date>/}, with a skew report of the join beside the output.
 */
@Command(name = "impressions-join", sortOptions = false,
    description = "Join one day of ad impressions with ad metadata (left outer), skew-aware, with a skew report.")
public final class ImpressionsJoinTool extends NightjarTool {

  private static final Logger LOG = LoggerFactory.getLogger(ImpressionsJoinTool.class);

  @Option(names = "--date", required = true, paramLabel = "yyyy-MM-dd", description = "The UTC day to process.")
  private LocalDate date;

  @Option(names = "--project", defaultValue = "ads", description = "Project folder under the root (default: ${DEFAULT-VALUE}).")
  private String project;

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

  @Option(names = "--reducers", defaultValue = "10", description = "Reduce tasks of the join (default: ${DEFAULT-VALUE}).")
  private int reducers;

  @Option(names = "--shards", description = "sharded, crunch-sharded: shards per ad (default: --reducers).")
  private Integer shards;

  @Option(names = "--sample-fraction", defaultValue = "0.01",
      description = "adaptive: fraction of impressions sampled to estimate per-ad counts (default: ${DEFAULT-VALUE}).")
  private double sampleFraction;

  @Option(names = "--shard-target", defaultValue = "0.25",
      description = "adaptive: rows per shard as a fraction of the mean rows per reducer (default: ${DEFAULT-VALUE}).")
  private double shardTarget;

  @Option(names = "--mapside-max-bytes", defaultValue = "33554432",
      description = "auto: largest metadata (bytes on disk) joined map-side (default: ${DEFAULT-VALUE}).")
  private long mapsideMaxBytes;

  @Option(names = "--dataset", defaultValue = "enriched-impressions", description = "Output dataset (default: ${DEFAULT-VALUE}).")
  private String dataset;

  @Override
  protected LinkedHashMap<String, Object> plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    Pair<Strategy, String> resolved = resolveStrategy();
    plan.put("impressions", impressions());
    plan.put("metadata", metadata());
    plan.put("strategy", resolved.first() + " (" + resolved.second() + ")");
    plan.put("output", output().dayPath(date));
    plan.put("quarantine", output().quarantinePath(date));
    plan.put("skew report", new Path(output().dayPath(date), SkewReport.SVG_FILE));
    return plan;
  }

  @Override
  protected int execute() throws IOException {
    Pair<Strategy, String> resolved = resolveStrategy();
    Dataset output = output();
    Pipeline pipeline = new MRPipeline(ImpressionsJoinTool.class, "nightjar impressions-join " + date, getConf());
    try (DailyPublication day = DailyPublication.begin(getConf(), output, date)) {
      Path impressionsIn = impressions();
      Path metadataIn = metadata();
      AvroInputCheck.requireReadable(getConf(), Impression.getClassSchema(), java.util.List.of(impressionsIn));
      AvroInputCheck.requireReadable(getConf(), AdMetadata.getClassSchema(), java.util.List.of(metadataIn));
      PCollection<Impression> raw = pipeline.read(From.avroFile(impressionsIn, Avros.specifics(Impression.class)));
      PCollection<AdMetadata> metadataRows = pipeline.read(From.avroFile(metadataIn, Avros.specifics(AdMetadata.class)));

      ShardPlan plan = shardPlan(resolved.first(), raw);
      PTable<String, AdMetadata> metadata = ImpressionsJoin.latestMetadata(metadataRows);
      List<PipelineResult.StageResult> stages = new ArrayList<>();
      if (resolved.first() == Strategy.MAPSIDE) {
        // Deduplicate the metadata in a job of its own first. Otherwise Crunch plans the impressions' check twice
        // (once beside the metadata job for the quarantine, once in the map-side join) and counts them twice.
        metadata = metadata.cache();
        stages.addAll(pipeline.run().getStageResults());
      }
      Pair<PCollection<Impression>, PCollection<QuarantineRecord>> checked =
          ImpressionsJoin.checkImpressions(raw, date);
      Pair<PCollection<EnrichedImpression>, PCollection<Tuple3<String, String, Long>>> joined =
          ImpressionsJoin.join(metadata, checked.first(), resolved.first(), plan, reducers);

      pipeline.write(joined.first(), To.avroFile(day.dataStaging()));
      pipeline.write(checked.second(), To.avroFile(day.quarantineStaging()));
      Iterable<Tuple3<String, String, Long>> taskLoads = joined.second().materialize();
      PipelineResult last = pipeline.run();
      if (last != null) {
        stages.addAll(last.getStageResults());
      }
      PipelineResult result = new PipelineResult(stages,
          last != null ? last.status : PipelineExecution.Status.FAILED);
      SkewReport report = result.succeeded() ? SkewReport.of(result, taskLoads,
          resolved.first().toString(), resolved.second(), plan == null ? "-" : plan.toString(), reducers)
          : null;
      FileSystem fs = day.dataStaging().getFileSystem(getConf());
      RecordAccounting accounting = day.finish(result, (dir, acc) -> report.writeInto(fs, dir));
      LOG.info("skew: {}", report.summary());
      out.printf("impressions-join %s: published %s (%d impressions, %d of unknown ads); %d quarantined; "
              + "%s; skew report %s%n", date, output.dayPath(date), accounting.out(), report.unknownAdRows(),
          accounting.quarantined(), report.summary(), new Path(output.dayPath(date), SkewReport.SVG_FILE));
      return 0;
    } finally {
      pipeline.cleanup(true);
    }
  }

  private ShardPlan shardPlan(Strategy resolved, PCollection<Impression> raw) {
    switch (resolved) {
      case SHARDED:
      case CRUNCH_SHARDED:
        return ShardPlan.uniform(shards != null ? shards : reducers);
      case ADAPTIVE:
        Map<String, Long> estimates = ImpressionsJoin.estimateCounts(raw, sampleFraction, 20160501L);
        long total = estimates.values().stream().mapToLong(Long::longValue).sum();
        long target = Math.max(1, (long) (total / (double) reducers * shardTarget));
        ShardPlan plan = ShardPlan.adaptive(estimates, target, reducers);
        LOG.info("adaptive: ~{} impressions estimated from a {} sample, {} rows per shard target: {}", total,
            sampleFraction, target, plan);
        return plan;
      default:
        return null;
    }
  }

  private Pair<Strategy, String> resolveStrategy() throws IOException {
    if (strategy != Strategy.AUTO) {
      return Pair.of(strategy, "chosen with --strategy");
    }
    Path path = metadata();
    long bytes = path.getFileSystem(getConf()).getContentSummary(path).getLength();
    return bytes <= mapsideMaxBytes
        ? Pair.of(Strategy.MAPSIDE, "auto: metadata is " + bytes + " bytes <= --mapside-max-bytes " + mapsideMaxBytes)
        : Pair.of(Strategy.ADAPTIVE, "auto: metadata is " + bytes + " bytes > --mapside-max-bytes " + mapsideMaxBytes);
  }

  private Dataset output() throws IOException {
    return Dataset.of(getConf(), project, dataset);
  }

  /** The day's impressions; from the dataset only once the delivery is finished (its {@code _SUCCESS}). */
  private Path impressions() throws IOException {
    if (impressionsPath != null) {
      return qualified(impressionsPath);
    }
    Dataset impressions = Dataset.of(getConf(), project, "impressions");
    if (!impressions.isPublished(impressions.path().getFileSystem(getConf()), date)) {
      throw new JobFailedException("impressions of " + date + " not finished: no " + impressions.dayPath(date) + "/"
          + Dataset.SUCCESS_FLAG + " (an upstream day counts once it has its flag, as for the ad metadata)");
    }
    return impressions.dayPath(date);
  }

  private Path metadata() throws IOException {
    if (metadataPath != null) {
      return qualified(metadataPath);
    }
    Dataset snapshots = Dataset.of(getConf(), project, "ad-metadata");
    FileSystem fs = snapshots.path().getFileSystem(getConf());
    LocalDate latest = snapshots.latestPublishedOnOrBefore(fs, date).orElseThrow(() -> new JobFailedException(
        "no published ad metadata in " + snapshots + " on or before " + date));
    return snapshots.dayPath(latest);
  }

  private Path qualified(String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(getConf()).makeQualified(p);
  }
}
