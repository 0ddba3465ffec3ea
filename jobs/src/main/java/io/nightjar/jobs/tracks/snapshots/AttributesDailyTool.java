package io.nightjar.jobs.tracks.snapshots;

import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.dataset.Dataset;
import io.nightjar.common.dataset.SnapshotDataset;
import io.nightjar.common.tool.DailyJobTool;
import io.nightjar.common.tool.DayOption;
import io.nightjar.common.tool.JobFailedException;
import io.nightjar.common.tool.ProjectOption;
import io.nightjar.jobs.Catalog;
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
public final class AttributesDailyTool extends DailyJobTool<AttributesDailyTool.Inputs> {

  private static final Logger LOG = LoggerFactory.getLogger(AttributesDailyTool.class);

  @Mixin
  private DayOption date;

  @Mixin
  private final ProjectOption project = new ProjectOption(Catalog.TRACKS);

  @Option(names = "--force", description = "Rewrite the day even though later days are published (backfill).")
  private boolean force;

  public AttributesDailyTool() {
    super(PackedAvro::compressed);
  }

  @Override
  protected boolean ready(Inputs inputs) throws IOException {
    inputs.attributes.refuseRewriteBeforeLaterDays(inputs.attributes.path().getFileSystem(getConf()), inputs.date,
        force);
    if (inputs.yesterday.isPresent() && inputs.delivery == null) {
      throw new JobFailedException("no analysis delivery (full or incremental) published for " + inputs.date
          + " under " + inputs.attributes.path().getParent() + "/analysis");
    }
    return true;
  }

  @Override
  protected Flow flow(Pipeline pipeline, Inputs inputs) throws IOException {
    if (inputs.yesterday.isPresent()) {
      PCollection<TrackAttributes> previous =
          Dataset.readAvro(pipeline, inputs.yesterday.get(), AnalysisMerge.ATTRIBUTES);
      PCollection<TrackAnalysis> delivery = Dataset.readAvro(pipeline, inputs.delivery, AnalysisMerge.ANALYSIS);
      return Flow.of(inputs.deliveryIsFull
          ? AnalysisMerge.attributes(AnalysisMerge.byTrack(previous), delivery, true)
          : AnalysisMerge.attributesFromIncremental(previous, delivery)).reads(inputs.yesterday.get(), inputs.delivery);
    }
    LOG.warn("No attributes published for {}: computing every track from the analysis view as of {} ({})",
        inputs.date.minusDays(1), inputs.date, inputs.view);
    if (inputs.view.paths().isEmpty()) {
      throw new JobFailedException("no analysis published as of " + inputs.date);
    }
    return Flow.of(AnalysisMerge.attributesFromScratch(
        Dataset.readAvro(pipeline, inputs.view.paths(), AnalysisMerge.ANALYSIS)))
        .reads(inputs.view.paths().toArray(new Path[0]));
  }

  @Override
  protected String published(Inputs inputs, Run run) {
    Map<String, Long> how = run.counters(AnalysisMerge.ATTRIBUTES_GROUP);
    return String.format("(%d tracks: %d reused, %d computed; %s dropped)", run.accounting().written(),
        how.getOrDefault(AnalysisMerge.REUSED, 0L), how.getOrDefault(AnalysisMerge.COMPUTED, 0L),
        run.accounting().skipReasons());
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
  static final class Inputs implements DailyPlan {
    LocalDate date;
    Dataset attributes;
    Optional<Path> yesterday;
    Path delivery;
    boolean deliveryIsFull;
    SnapshotDataset.View view;

    @Override
    public Dataset output() {
      return attributes;
    }

    @Override
    public LocalDate date() {
      return date;
    }

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
    SnapshotDataset analysis = Catalog.analysis(getConf(), project.get());
    Dataset attributes = Dataset.of(getConf(), project.get(), Catalog.ATTRIBUTES);
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
