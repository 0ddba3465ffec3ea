package io.nightjar.jobs.analysis;

import io.nightjar.common.AvroInputCheck;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.DailyPublication;
import io.nightjar.common.Dataset;
import io.nightjar.common.JobFailedException;
import io.nightjar.common.NightjarTool;
import io.nightjar.common.PipelineCounters;
import io.nightjar.common.RecordAccounting;
import io.nightjar.common.SnapshotDataset;
import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.impl.mr.MRPipeline;
import org.apache.crunch.io.From;
import org.apache.crunch.io.To;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code attributes-daily}: today's full attributes snapshot {@code attributes/<date>/} from yesterday's attributes and
 * today's analysis delivery (the day's incremental, or its full snapshot on a compaction day), computing attributes
 * only for new and changed tracks. On an incremental day yesterday's attributes stream through map tasks that hold
 * the ids of the day's delivery in memory (no shuffle of the large side; attributes of the delivery are computed
 * map-side, so its documents are read once and never shuffled); on a compaction day the full is cogrouped with them.
 * Without a published yesterday (first day, after a gap, or yesterday written with an earlier major version of
 * {@code TrackAttributes}) it computes every track from the analysis view as of the day, and says so.
 */
@Command(name = "attributes-daily", sortOptions = false,
    description = "Publish today's full track attributes snapshot, computing only what is new or changed.")
public final class AttributesDailyTool extends NightjarTool {

  private static final Logger LOG = LoggerFactory.getLogger(AttributesDailyTool.class);

  @Option(names = "--date", required = true, paramLabel = "yyyy-MM-dd", description = "The day to publish.")
  private LocalDate date;

  @Option(names = "--project", defaultValue = "tracks", description = "Project folder (default: ${DEFAULT-VALUE}).")
  private String project;

  @Option(names = "--force", description = "Rewrite the day even though later days are published (backfill).")
  private boolean force;

  @Override
  protected LinkedHashMap<String, Object> plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    Inputs inputs = inputs();
    plan.put("yesterday", inputs.yesterday.map(Object::toString).orElse("(none: compute every track from the view)"));
    plan.put("analysis", inputs.yesterday.isPresent()
        ? (inputs.delivery == null ? "(no delivery published for " + date + ")" : inputs.delivery) : inputs.view);
    plan.put("output", attributes().dayPath(date));
    return plan;
  }

  @Override
  protected int execute() throws IOException {
    Dataset attributes = attributes();
    FileSystem fs = attributes.path().getFileSystem(getConf());
    attributes.refuseRewriteBeforeLaterDays(fs, date, force);
    Inputs inputs = inputs();
    if (inputs.yesterday.isPresent() && inputs.delivery == null) {
      throw new JobFailedException("no analysis delivery (full or incremental) published for " + date + " under "
          + attributes.path().getParent() + "/analysis");
    }
    Pipeline pipeline = new MRPipeline(AttributesDailyTool.class, "nightjar attributes-daily " + date,
        PackedAvro.compressed(new org.apache.hadoop.conf.Configuration(getConf())));
    try (DailyPublication day = DailyPublication.begin(getConf(), attributes, date)) {
      PCollection<TrackAttributes> today;
      if (inputs.yesterday.isPresent()) {
        AvroInputCheck.requireReadable(getConf(), TrackAttributes.getClassSchema(), List.of(inputs.yesterday.get()));
        AvroInputCheck.requireReadable(getConf(), TrackAnalysis.getClassSchema(), List.of(inputs.delivery));
        PCollection<TrackAttributes> previous =
            pipeline.read(From.avroFile(inputs.yesterday.get(), AnalysisMerge.ATTRIBUTES));
        PCollection<TrackAnalysis> delivery = pipeline.read(From.avroFile(inputs.delivery, AnalysisMerge.ANALYSIS));
        today = inputs.deliveryIsFull
            ? AnalysisMerge.attributes(AnalysisMerge.byTrack(previous), delivery, true)
            : AnalysisMerge.attributesFromIncremental(previous, delivery);
      } else {
        LOG.warn("No attributes published for {}: computing every track from the analysis view as of {} ({})",
            date.minusDays(1), date, inputs.view);
        if (inputs.view.paths().isEmpty()) {
          throw new JobFailedException("no analysis published as of " + date);
        }
        AvroInputCheck.requireReadable(getConf(), TrackAnalysis.getClassSchema(), inputs.view.paths());
        today = AnalysisMerge.attributesFromScratch(
            pipeline.read(From.avroFile(inputs.view.paths(), AnalysisMerge.ANALYSIS)));
      }
      pipeline.write(today, To.avroFile(day.dataStaging()));
      PipelineResult result = pipeline.done();
      RecordAccounting accounting = day.finish(result);
      Map<String, Long> how = PipelineCounters.group(result, AnalysisMerge.ATTRIBUTES_GROUP);
      out.printf("attributes-daily %s: published %s (%d tracks: %d reused, %d computed; %s dropped)%n", date,
          attributes.dayPath(date), accounting.written(), how.getOrDefault(AnalysisMerge.REUSED, 0L),
          how.getOrDefault(AnalysisMerge.COMPUTED, 0L), accounting.skipReasons());
      return 0;
    } finally {
      pipeline.cleanup(true);
    }
  }

  private Dataset attributes() throws IOException {
    return Dataset.of(getConf(), project, "attributes");
  }

  /** The {@code nightjar.major} version of the schema the first data file under {@code dir} was written with. */
  static int majorVersion(FileSystem fs, Path dir) throws IOException {
    for (org.apache.hadoop.fs.FileStatus file : fs.listStatus(dir)) {
      if (file.getPath().getName().endsWith(".avro")) {
        try (org.apache.avro.file.DataFileStream<Object> in = new org.apache.avro.file.DataFileStream<>(
            fs.open(file.getPath()), new org.apache.avro.generic.GenericDatumReader<>())) {
          return majorVersion(in.getSchema());
        }
      }
    }
    return majorVersion(TrackAttributes.getClassSchema()); // no data file: nothing to carry over either way
  }

  static int majorVersion(org.apache.avro.Schema schema) {
    String major = schema.getProp("nightjar.major");
    return major == null ? 1 : Integer.parseInt(major);
  }

  private final class Inputs {
    Optional<Path> yesterday;
    Path delivery;
    boolean deliveryIsFull;
    SnapshotDataset.View view;
  }

  private Inputs inputs() throws IOException {
    SnapshotDataset analysis = SnapshotDataset.of(getConf(), project, "analysis");
    Dataset attributes = attributes();
    FileSystem fs = attributes.path().getFileSystem(getConf());
    Inputs inputs = new Inputs();
    LocalDate yesterday = date.minusDays(1);
    inputs.yesterday = attributes.isPublished(fs, yesterday) ? Optional.of(attributes.dayPath(yesterday))
        : Optional.empty();
    if (inputs.yesterday.isPresent()) {
      int major = majorVersion(fs, inputs.yesterday.get());
      int current = majorVersion(TrackAttributes.getClassSchema());
      if (major != current) { // a deliberate schema break: nothing of yesterday can be carried over
        LOG.warn("Attributes of {} were written with TrackAttributes major version {}, not {}: not reused",
            yesterday, major, current);
        inputs.yesterday = Optional.empty();
      }
    }
    inputs.deliveryIsFull = analysis.full().isPublished(fs, date);
    inputs.delivery = analysis.deliveryOf(fs, date).orElse(null);
    inputs.view = analysis.viewAsOf(fs, date);
    return inputs;
  }
}
