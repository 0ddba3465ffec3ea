package io.nightjar.jobs.analysis;

import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.DailyPublication;
import io.nightjar.common.Dataset;
import io.nightjar.common.DayOption;
import io.nightjar.common.JobFailedException;
import io.nightjar.common.NightjarTool;
import io.nightjar.common.ProjectOption;
import io.nightjar.common.PipelineCounters;
import io.nightjar.common.RecordAccounting;
import io.nightjar.common.SnapshotDataset;
import java.io.IOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pipeline;
import org.apache.crunch.PipelineResult;
import org.apache.crunch.impl.mr.MRPipeline;
import org.apache.crunch.io.To;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
public final class AttributesDailyTool extends NightjarTool<AttributesDailyTool.Inputs> {

  private static final Logger LOG = LoggerFactory.getLogger(AttributesDailyTool.class);

  @Mixin
  private DayOption date;

  @Mixin
  private final ProjectOption project = new ProjectOption("tracks");

  @Option(names = "--force", description = "Rewrite the day even though later days are published (backfill).")
  private boolean force;

  @Override
  protected int execute(Inputs inputs) throws IOException {
    LocalDate date = inputs.date;
    Dataset attributes = inputs.attributes;
    FileSystem fs = attributes.path().getFileSystem(getConf());
    attributes.refuseRewriteBeforeLaterDays(fs, date, force);
    if (inputs.yesterday.isPresent() && inputs.delivery == null) {
      throw new JobFailedException("no analysis delivery (full or incremental) published for " + date + " under "
          + attributes.path().getParent() + "/analysis");
    }
    Pipeline pipeline = new MRPipeline(AttributesDailyTool.class, "nightjar attributes-daily " + date,
        PackedAvro.compressed(new Configuration(getConf())));
    try (DailyPublication day = DailyPublication.begin(getConf(), attributes, date)) {
      PCollection<TrackAttributes> today;
      if (inputs.yesterday.isPresent()) {
        PCollection<TrackAttributes> previous =
            Dataset.readAvro(pipeline, inputs.yesterday.get(), AnalysisMerge.ATTRIBUTES);
        PCollection<TrackAnalysis> delivery = Dataset.readAvro(pipeline, inputs.delivery, AnalysisMerge.ANALYSIS);
        today = inputs.deliveryIsFull
            ? AnalysisMerge.attributes(AnalysisMerge.byTrack(previous), delivery, true)
            : AnalysisMerge.attributesFromIncremental(previous, delivery);
      } else {
        LOG.warn("No attributes published for {}: computing every track from the analysis view as of {} ({})",
            date.minusDays(1), date, inputs.view);
        if (inputs.view.paths().isEmpty()) {
          throw new JobFailedException("no analysis published as of " + date);
        }
        today = AnalysisMerge.attributesFromScratch(
            Dataset.readAvro(pipeline, inputs.view.paths(), AnalysisMerge.ANALYSIS));
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

  /** The {@code nightjar.major} version of the schema the first data file under {@code dir} was written with. */
  static int majorVersion(FileSystem fs, Path dir) throws IOException {
    for (FileStatus file : fs.listStatus(dir)) {
      if (file.getPath().getName().endsWith(".avro")) {
        try (DataFileStream<Object> in = new DataFileStream<>(fs.open(file.getPath()), new GenericDatumReader<>())) {
          return majorVersion(in.getSchema());
        }
      }
    }
    return majorVersion(TrackAttributes.getClassSchema()); // no data file: nothing to carry over either way
  }

  static int majorVersion(Schema schema) {
    String major = schema.getProp("nightjar.major");
    return major == null ? 1 : Integer.parseInt(major);
  }

  /** Yesterday's attributes (if reusable) and the day's analysis delivery or view, resolved once. */
  static final class Inputs implements Plan {
    LocalDate date;
    Dataset attributes;
    Optional<Path> yesterday;
    Path delivery;
    boolean deliveryIsFull;
    SnapshotDataset.View view;

    @Override
    public LinkedHashMap<String, Object> describe() {
      LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
      plan.put("yesterday", yesterday.map(Object::toString).orElse("(none: compute every track from the view)"));
      plan.put("analysis", yesterday.isPresent()
          ? (delivery == null ? "(no delivery published for " + date + ")" : delivery) : view);
      plan.put("output", attributes.dayPath(date));
      return plan;
    }
  }

  @Override
  protected Inputs plan() throws IOException {
    SnapshotDataset analysis = SnapshotDataset.of(getConf(), project.get(), "analysis");
    Dataset attributes = Dataset.of(getConf(), project.get(), "attributes");
    FileSystem fs = attributes.path().getFileSystem(getConf());
    Inputs inputs = new Inputs();
    inputs.date = date.get();
    inputs.attributes = attributes;
    LocalDate yesterday = date.get().minusDays(1);
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
    inputs.deliveryIsFull = analysis.full().isPublished(fs, date.get());
    inputs.delivery = analysis.deliveryOf(fs, date.get()).orElse(null);
    inputs.view = analysis.viewAsOf(fs, date.get());
    return inputs;
  }
}
