package io.nightjar.jobs.analysis;

import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.AccountedDoFn;
import java.util.Collection;
import org.apache.crunch.Aggregator;
import org.apache.crunch.Emitter;
import org.apache.crunch.MapFn;
import org.apache.crunch.PCollection;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.lib.Cogroup;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.lib.join.MapsideJoinStrategy;
import org.apache.crunch.types.PType;
import org.apache.crunch.types.avro.Avros;

/**
 * Merging analysis snapshots and incrementals, and the daily attributes, as Crunch building blocks.
 *
 * <p>Latest wins by {@code fetchedAt}, never by file order; on a tie a tombstone wins, then the greater record (as
 * Avro JSON), so the result does not depend on which file or task a record came from. A track whose latest record is
 * a tombstone is gone.
 */
public final class AnalysisMerge {

  /** Skip reasons (record level, compaction): an older version of a track; a track deleted by a tombstone. */
  public static final String SUPERSEDED = "SUPERSEDED";
  public static final String DELETED = "DELETED";
  /** Skip reasons (track level, attributes): deleted by a tombstone today; absent from today's full snapshot. */
  public static final String TRACK_DELETED = "TRACK_DELETED";
  public static final String NOT_IN_FULL = "NOT_IN_FULL";
  /** Skip reason (attributes from an incremental): yesterday's row of a track the delivery re-analysed or deleted. */
  public static final String SUPERSEDED_BY_DELIVERY = "SUPERSEDED_BY_DELIVERY";
  /** Counters of attributes-daily: attributes carried over from yesterday versus computed today. */
  public static final String ATTRIBUTES_GROUP = "nightjar.attributes";
  public static final String REUSED = "reused";
  public static final String COMPUTED = "computed";

  static final PType<TrackAnalysis> ANALYSIS = Avros.specifics(TrackAnalysis.class);
  static final PType<TrackAttributes> ATTRIBUTES = Avros.specifics(TrackAttributes.class);
  /** The latest record of a track and how many records it was chosen from. */
  static final PType<Pair<TrackAnalysis, Long>> LATEST = Avros.pairs(ANALYSIS, Avros.longs());

  private AnalysisMerge() {
  }

  /** Latest record per track (possibly a tombstone), with the number of records merged; combined map-side. */
  public static PTable<String, Pair<TrackAnalysis, Long>> latestPerTrack(PCollection<TrackAnalysis> records) {
    return records
        .parallelDo("key by track", new KeyByTrackFn(), Avros.tableOf(Avros.strings(), LATEST))
        .groupByKey()
        .combineValues(new LatestAggregator());
  }

  /**
   * A full snapshot from a full and the incrementals after it (or from any set of records): one live record per
   * track. Counts every record in, and each as out, {@value #SUPERSEDED} or {@value #DELETED}.
   */
  public static PCollection<TrackAnalysis> compact(PCollection<TrackAnalysis> records) {
    return latestPerTrack(records).parallelDo("drop superseded and deleted", new LiveRecordFn(), ANALYSIS);
  }

  /**
   * Today's attributes from yesterday's and today's delivery: a track in today's delivery gets yesterday's attributes
   * if they were computed from the same analysis ({@code fetchedAt}), else new ones; a tombstoned track is dropped.
   * A track not in today's delivery keeps yesterday's attributes, unless the delivery is a full snapshot, which lists
   * every live track. Counts tracks: in, out, skipped; and attributes {@value #REUSED} versus {@value #COMPUTED}.
   */
  public static PCollection<TrackAttributes> attributes(PTable<String, TrackAttributes> yesterday,
      PCollection<TrackAnalysis> delivery, boolean deliveryIsFull) {
    return Cogroup.cogroup(yesterday, latestPerTrack(delivery))
        .parallelDo("reuse or compute attributes", new AttributesFn(deliveryIsFull), ATTRIBUTES);
  }

  /**
   * Today's attributes from yesterday's and an incremental delivery, without shuffling yesterday's attributes: the
   * delivery's latest record per track (small: the day's new, changed and deleted tracks) is loaded into every map
   * task that reads yesterday's attributes ({@code MapsideJoinStrategy}); yesterday's rows of tracks not in the
   * delivery pass through as they are ({@value #REUSED}), the others are superseded; every live track of the delivery
   * gets attributes computed ({@value #COMPUTED}), tombstoned ones are dropped. Counts yesterday's rows and the
   * delivery's tracks in: in = reused + superseded + computed + deleted.
   *
   * <p>Use it when the delivery fits in task memory (an incremental); for a full delivery use {@link #attributes}.
   */
  public static PCollection<TrackAttributes> attributesFromIncremental(PCollection<TrackAttributes> yesterday,
      PCollection<TrackAnalysis> incremental) {
    PTable<String, Pair<TrackAnalysis, Long>> delivered = latestPerTrack(incremental);
    PCollection<TrackAttributes> carried = MapsideJoinStrategy.<String, Pair<TrackAnalysis, Long>, TrackAttributes>create()
        .join(delivered, byTrack(yesterday), JoinType.RIGHT_OUTER_JOIN)
        .parallelDo("carry unchanged attributes", new CarryUnchangedFn(), ATTRIBUTES);
    PCollection<TrackAttributes> computed = delivered.parallelDo("compute delivered attributes",
        new ComputeDeliveredFn(), ATTRIBUTES);
    return carried.union(computed);
  }

  /** Attributes for every live track of a full view, all computed: the fallback when there is no yesterday. */
  public static PCollection<TrackAttributes> attributesFromScratch(PCollection<TrackAnalysis> view) {
    return latestPerTrack(view)
        .parallelDo("no attributes yet", new NoPreviousAttributesFn(), Avros.tableOf(Avros.strings(),
            Avros.pairs(Avros.collections(ATTRIBUTES), Avros.collections(LATEST))))
        .parallelDo("compute attributes", new AttributesFn(true), ATTRIBUTES);
  }

  public static PTable<String, TrackAttributes> byTrack(PCollection<TrackAttributes> attributes) {
    return attributes.by("key attributes by track", new AttributesTrackFn(), Avros.strings());
  }

  /** Whether {@code a} wins over {@code b}: later fetchedAt; on a tie a tombstone; then the greater record. */
  static boolean wins(TrackAnalysis a, TrackAnalysis b) {
    int byTime = Long.compare(a.getFetchedAt(), b.getFetchedAt());
    if (byTime != 0) {
      return byTime > 0;
    }
    if (a.getDeleted() != b.getDeleted()) {
      return a.getDeleted();
    }
    return a.toString().compareTo(b.toString()) > 0;
  }

  static final class KeyByTrackFn extends MapFn<TrackAnalysis, Pair<String, Pair<TrackAnalysis, Long>>> {
    @Override
    public Pair<String, Pair<TrackAnalysis, Long>> map(TrackAnalysis record) {
      return Pair.of(record.getTrackId(), Pair.of(record, 1L));
    }
  }

  /** Keeps the winning record and adds up how many records it was chosen from. */
  static final class LatestAggregator implements Aggregator<Pair<TrackAnalysis, Long>> {
    private transient TrackAnalysis best;
    private transient long records;

    @Override
    public void initialize(org.apache.hadoop.conf.Configuration conf) {
      reset();
    }

    @Override
    public void reset() {
      best = null;
      records = 0;
    }

    @Override
    public void update(Pair<TrackAnalysis, Long> value) {
      if (best == null || wins(value.first(), best)) {
        best = TrackAnalysis.newBuilder(value.first()).build();
      }
      records += value.second();
    }

    @Override
    public Iterable<Pair<TrackAnalysis, Long>> results() {
      return java.util.Collections.singletonList(Pair.of(best, records));
    }
  }

  /** Emits the live winner; counts the records merged into it. */
  static final class LiveRecordFn extends AccountedDoFn<Pair<String, Pair<TrackAnalysis, Long>>, TrackAnalysis> {
    @Override
    public void process(Pair<String, Pair<TrackAnalysis, Long>> track, Emitter<TrackAnalysis> emitter) {
      TrackAnalysis latest = track.second().first();
      long records = track.second().second();
      countIn(records);
      if (latest.getDeleted()) {
        countSkipped(DELETED, records);
      } else {
        if (records > 1) {
          countSkipped(SUPERSEDED, records - 1);
        }
        countOut(1);
        countWritten(1);
        emitter.emit(latest);
      }
    }
  }

  /** One track: reuse yesterday's attributes, compute new ones, or drop the track. */
  static final class AttributesFn extends AccountedDoFn<
      Pair<String, Pair<Collection<TrackAttributes>, Collection<Pair<TrackAnalysis, Long>>>>, TrackAttributes> {
    private final boolean deliveryIsFull;

    AttributesFn(boolean deliveryIsFull) {
      this.deliveryIsFull = deliveryIsFull;
    }

    @Override
    public void process(Pair<String, Pair<Collection<TrackAttributes>, Collection<Pair<TrackAnalysis, Long>>>> track,
        Emitter<TrackAttributes> emitter) {
      countIn(1);
      TrackAttributes previous = track.second().first().isEmpty() ? null : track.second().first().iterator().next();
      Pair<TrackAnalysis, Long> delivered = track.second().second().isEmpty() ? null
          : track.second().second().iterator().next();
      if (delivered == null) {
        if (deliveryIsFull) {
          countSkipped(NOT_IN_FULL, 1);
        } else {
          emit(previous, REUSED, emitter);
        }
        return;
      }
      TrackAnalysis latest = delivered.first();
      if (latest.getDeleted()) {
        countSkipped(TRACK_DELETED, 1);
      } else if (previous != null && previous.getAnalysisFetchedAt().longValue() == latest.getFetchedAt()) {
        emit(previous, REUSED, emitter);
      } else {
        emit(TrackAttributesFunction.compute(latest), COMPUTED, emitter);
      }
    }

    private void emit(TrackAttributes attributes, String how, Emitter<TrackAttributes> emitter) {
      increment(ATTRIBUTES_GROUP, how);
      countOut(1);
      countWritten(1);
      emitter.emit(attributes);
    }
  }

  /** Yesterday's row of a track the delivery does not mention: kept; otherwise superseded by the delivery. */
  static final class CarryUnchangedFn
      extends AccountedDoFn<Pair<String, Pair<Pair<TrackAnalysis, Long>, TrackAttributes>>, TrackAttributes> {
    @Override
    public void process(Pair<String, Pair<Pair<TrackAnalysis, Long>, TrackAttributes>> track,
        Emitter<TrackAttributes> emitter) {
      countIn(1);
      if (track.second().first() == null) {
        increment(ATTRIBUTES_GROUP, REUSED);
        countOut(1);
        countWritten(1);
        emitter.emit(track.second().second());
      } else {
        countSkipped(SUPERSEDED_BY_DELIVERY, 1);
      }
    }
  }

  /** Attributes of a delivered live track; a delivered tombstone drops the track. */
  static final class ComputeDeliveredFn extends AccountedDoFn<Pair<String, Pair<TrackAnalysis, Long>>, TrackAttributes> {
    @Override
    public void process(Pair<String, Pair<TrackAnalysis, Long>> track, Emitter<TrackAttributes> emitter) {
      countIn(1);
      TrackAnalysis latest = track.second().first();
      if (latest.getDeleted()) {
        countSkipped(TRACK_DELETED, 1);
      } else {
        increment(ATTRIBUTES_GROUP, COMPUTED);
        countOut(1);
        countWritten(1);
        emitter.emit(TrackAttributesFunction.compute(latest));
      }
    }
  }

  /** A track's latest analysis in the shape of a cogroup with no attributes on yesterday's side. */
  static final class NoPreviousAttributesFn extends MapFn<Pair<String, Pair<TrackAnalysis, Long>>,
      Pair<String, Pair<Collection<TrackAttributes>, Collection<Pair<TrackAnalysis, Long>>>>> {
    @Override
    public Pair<String, Pair<Collection<TrackAttributes>, Collection<Pair<TrackAnalysis, Long>>>> map(
        Pair<String, Pair<TrackAnalysis, Long>> track) {
      return Pair.of(track.first(), Pair.of(java.util.Collections.<TrackAttributes>emptyList(),
          java.util.Collections.singletonList(track.second())));
    }
  }

  static final class AttributesTrackFn extends MapFn<TrackAttributes, String> {
    @Override
    public String map(TrackAttributes attributes) {
      return attributes.getTrackId();
    }
  }
}
