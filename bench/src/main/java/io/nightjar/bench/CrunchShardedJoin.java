package io.nightjar.bench;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.EnrichedImpression;
import io.nightjar.avro.Impression;
import io.nightjar.common.crunch.PipelineRuns;
import io.nightjar.common.crunch.ShuffleSettings;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.tool.DayOption;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.NightjarTool;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.ToolTable;
import io.nightjar.jobs.ads.ImpressionsJoin;
import io.nightjar.jobs.ads.ShardPlan;
import io.nightjar.jobs.ads.SkewReport;
import io.nightjar.testkit.OutputOption;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pair;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.Tuple3;
import org.apache.crunch.impl.mr.MRPipeline;
import org.apache.crunch.io.To;
import org.apache.crunch.lib.join.ShardedJoinStrategy;
import org.apache.crunch.types.avro.Avros;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The comparison row of {@link ImpressionsJoinBench}: impressions-join's data flow with Crunch's own
 * {@code ShardedJoinStrategy} on the uniform plan of {@code --strategy sharded}, which the tool does not offer (its
 * shard of an impression is drawn from a {@code Random} seeded with the task's number, so it depends on the task and
 * the order it reads in, and its partitioner may put two shards of one ad on one reducer). Writes the enriched rows and
 * {@code _skew-report.json} into {@code --output}, with the tool's shuffle settings; no quarantine, manifest or lease.
 */
@Command(name = "crunch-sharded-join", sortOptions = false,
    description = "Join one day of impressions with Crunch's ShardedJoinStrategy (a benchmark row).")
public final class CrunchShardedJoin extends NightjarTool<Plan> {

  @Option(names = "--impressions", required = true, paramLabel = "PATH")
  private String impressions;

  @Option(names = "--metadata", required = true, paramLabel = "PATH")
  private String metadata;

  @Mixin
  private OutputOption output;

  @Mixin
  private DayOption date;

  @Option(names = "--reducers", required = true, description = "Reduce tasks, and shards per ad.")
  private int reducers;

  public static void main(String[] args) {
    System.exit(ToolTable.run("crunch-sharded-join", CrunchShardedJoin::new, new Configuration(), args));
  }

  @Override
  protected Plan plan() {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("output", output.get());
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws Exception {
    Configuration conf = ShuffleSettings.everyRecordShuffled(getConf());
    Pipeline pipeline = new MRPipeline(CrunchShardedJoin.class, "crunch-sharded-join", conf);
    PCollection<Impression> raw = Dataset.readAvro(pipeline, new Path(impressions), Avros.specifics(Impression.class));
    PCollection<AdMetadata> rows = Dataset.readAvro(pipeline, new Path(metadata), Avros.specifics(AdMetadata.class));
    ShardPlan shards = ShardPlan.uniform(reducers);
    Pair<PCollection<EnrichedImpression>, PCollection<Tuple3<String, String, Long>>> joined = ImpressionsJoin.join(
        ImpressionsJoin.latestMetadata(rows), ImpressionsJoin.checkImpressions(raw, date.get()).first(),
        new ShardedJoinStrategy<>(shards, reducers), shards);
    Path day = new Path(output.get());
    pipeline.write(joined.first(), To.avroFile(day));
    Iterable<Tuple3<String, String, Long>> loads = joined.second().materialize();
    PipelineResult result = PipelineRuns.run(pipeline, List.of());
    if (!result.succeeded()) {
      throw new JobFailedException("the join failed");
    }
    SkewReport report = SkewReport.of(List.of(result), loads, "crunch-sharded", "Crunch's ShardedJoinStrategy",
        shards.toString(), reducers);
    try (OutputStream json = day.getFileSystem(conf).create(new Path(day, SkewReport.JSON_FILE), true)) {
      json.write(report.toJson().getBytes(StandardCharsets.UTF_8));
    }
    out.println("crunch-sharded-join: " + report.summary());
    pipeline.done();
    return 0;
  }
}
