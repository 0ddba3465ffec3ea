package io.nightjar.jobs.tracks.snapshots;

import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackAttributes;
import io.nightjar.common.crunch.AccountedDoFn;
import io.nightjar.common.crunch.LatestPerKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.crunch.Emitter;
import org.apache.crunch.MapFn;
import org.apache.crunch.PCollection;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.Tuple3;
import org.apache.crunch.lib.Cogroup;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.lib.join.MapsideJoinStrategy;
import org.apache.crunch.types.PType;
import org.apache.crunch.types.avro.AvroType;
import org.apache.crunch.types.avro.Avros;

/**
 * Merging analysis snapshots and incrementals, and the daily attributes, as Crunch building blocks.
 *
 * <p>Latest wins by {@code fetchedAt}, never by file order; on a tie a tombstone wins, then the greater fingerprint of
 * the record, so the result does not depend on which file or task a record came from. A track whose latest record is
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

  static final AvroType<TrackAnalysis> ANALYSIS = Avros.specifics(TrackAnalysis.class);
  static final AvroType<TrackAttributes> ATTRIBUTES = Avros.specifics(TrackAttributes.class);
  /** Computed attributes of one record: fetchedAt, tie-break, attributes (null: tombstone). */
  static final PType<Tuple3<Long, Long, TrackAttributes>> COMPUTED_TYPE =
      Avros.triples(Avros.longs(), Avros.longs(), ATTRIBUTES);

  private AnalysisMerge() {
  }

  /** Latest record per track (possibly a tombstone), with the number of records merged; combined map-side. */
  public static PTable<String, Pair<TrackAnalysis, Long>> latestPerTrack(PCollection<TrackAnalysis> records) {
    return LatestPerKey.latest(records.by("key by track", new TrackFn(), Avros.strings()), new AnalysisOrder(),
        new AnalysisCopy());
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
   * Today's attributes from yesterday's and an incremental delivery, without shuffling yesterday's attributes or the
   * delivery's documents: attributes are computed map-side from every delivered record (the heavy part, reading each
   * document once), and only the small results (track, fetchedAt, attributes or tombstone) are shuffled to pick the
   * latest per track. Their ids and fetchedAt are loaded into every map task that reads yesterday's attributes
   * ({@code MapsideJoinStrategy}; about 50 bytes per delivered track): yesterday's rows of tracks not in the delivery
   * pass through as they are ({@value #REUSED}), the others are superseded; every live track of the delivery gets its
   * computed attributes ({@value #COMPUTED}), tombstoned ones are dropped. Counts yesterday's rows and the delivery's
   * tracks in: in = reused + superseded + computed + deleted.
   *
   * <p>Use it when the delivery is a small part of the tracks (an incremental); for a full delivery use
   * {@link #attributes}, which reuses yesterday's attributes instead of computing every track.
   */
  public static PCollection<TrackAttributes> attributesFromIncremental(PCollection<TrackAttributes> yesterday,
      PCollection<TrackAnalysis> incremental) {
    // Cached: the map-side join runs its left side first; without it the delivery would be read and computed twice.
    PTable<String, Pair<Tuple3<Long, Long, TrackAttributes>, Long>> delivered = latestComputed(incremental).cache();
    PTable<String, Long> deliveredIds = delivered.mapValues("delivered ids", new FetchedAtFn(), Avros.longs());
    PCollection<TrackAttributes> carried = MapsideJoinStrategy.<String, Long, TrackAttributes>create()
        .join(deliveredIds, byTrack(yesterday), JoinType.RIGHT_OUTER_JOIN)
        .parallelDo("carry unchanged attributes", new CarryUnchangedFn(), ATTRIBUTES);
    PCollection<TrackAttributes> computed = delivered.parallelDo("emit delivered attributes",
        new ComputedDeliveredFn(), ATTRIBUTES);
    return carried.union(computed);
  }

  /**
   * Attributes for every live track of a full view, all computed: the fallback when there is no yesterday, and the
   * baseline the incremental design is measured against. Computed map-side as in {@link #attributesFromIncremental}.
   */
  public static PCollection<TrackAttributes> attributesFromScratch(PCollection<TrackAnalysis> view) {
    return latestComputed(view).parallelDo("emit computed attributes", new ComputedDeliveredFn(), ATTRIBUTES);
  }

  /**
   * Per track, the attributes of its latest record (null for a tombstone), computed map-side from every record, with
   * the winner's fetchedAt and tie-break and the number of records merged. Only these small values are shuffled.
   */
  static PTable<String, Pair<Tuple3<Long, Long, TrackAttributes>, Long>> latestComputed(
      PCollection<TrackAnalysis> records) {
    PTable<String, Tuple3<Long, Long, TrackAttributes>> computed = records.parallelDo("compute attributes map-side",
        new ComputeFn(), Avros.tableOf(Avros.strings(), COMPUTED_TYPE));
    return LatestPerKey.latest(computed, new ComputedOrder(), new ComputedCopy());
  }

  public static PTable<String, TrackAttributes> byTrack(PCollection<TrackAttributes> attributes) {
    return attributes.by("key attributes by track", new AttributesTrackFn(), Avros.strings());
  }

  /**
   * Whether {@code a} wins over {@code b}: later fetchedAt; on a tie a tombstone; then the greater {@link #tieBreak}
   * (a fingerprint of the record, so the choice between two versions fetched at the same time does not depend on
   * file or task order, and can be made from the attributes computed from them).
   */
  static boolean wins(TrackAnalysis a, TrackAnalysis b) {
    if (a.getFetchedAt() != (long) b.getFetchedAt() || a.getDeleted() != (boolean) b.getDeleted()) {
      return wins(a.getFetchedAt(), a.getDeleted(), 0, b.getFetchedAt(), b.getDeleted(), 0);
    }
    return tieBreak(a) > tieBreak(b);
  }

  /** The order of {@link #wins}, on the values it compares; true only when {@code a} is strictly greater. */
  static boolean wins(long fetchedA, boolean deletedA, long tieA, long fetchedB, boolean deletedB, long tieB) {
    if (fetchedA != fetchedB) {
      return fetchedA > fetchedB;
    }
    if (deletedA != deletedB) {
      return deletedA;
    }
    return tieA > tieB;
  }

  /** 64-bit Rabin fingerprint of the record's Avro binary encoding: equal records, equal values. */
  static long tieBreak(TrackAnalysis record) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
      new SpecificDatumWriter<>(TrackAnalysis.class).write(record, encoder);
      encoder.flush();
      return SchemaNormalization.fingerprint64(bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #wins} on analysis records. */
  static final class AnalysisOrder extends LatestPerKey.Order<TrackAnalysis> {
    @Override
    public boolean wins(TrackAnalysis a, TrackAnalysis b) {
      return AnalysisMerge.wins(a, b);
    }
  }

  static final class AnalysisCopy extends LatestPerKey.Copy<TrackAnalysis> {
    @Override
    public TrackAnalysis copy(TrackAnalysis record) {
      return TrackAnalysis.newBuilder(record).build();
    }
  }

  /** {@link #wins} on computed attributes: (fetchedAt, tie-break, attributes or null for a tombstone). */
  static final class ComputedOrder extends LatestPerKey.Order<Tuple3<Long, Long, TrackAttributes>> {
    @Override
    public boolean wins(Tuple3<Long, Long, TrackAttributes> a, Tuple3<Long, Long, TrackAttributes> b) {
      return AnalysisMerge.wins(a.first(), a.third() == null, a.second(), b.first(), b.third() == null, b.second());
    }
  }

  static final class ComputedCopy extends LatestPerKey.Copy<Tuple3<Long, Long, TrackAttributes>> {
    @Override
    public Tuple3<Long, Long, TrackAttributes> copy(Tuple3<Long, Long, TrackAttributes> value) {
      return Tuple3.of(value.first(), value.second(),
          value.third() == null ? null : TrackAttributes.newBuilder(value.third()).build());
    }
  }

  /** Attributes (or a tombstone, null) of each record, keyed by track, with what {@link #wins} compares. */
  static final class ComputeFn extends MapFn<TrackAnalysis, Pair<String, Tuple3<Long, Long, TrackAttributes>>> {
    @Override
    public Pair<String, Tuple3<Long, Long, TrackAttributes>> map(TrackAnalysis record) {
      TrackAttributes attributes = record.getDeleted() ? null : TrackAttributesFunction.compute(record);
      return Pair.of(record.getTrackId(), Tuple3.of(record.getFetchedAt(), tieBreak(record), attributes));
    }
  }

  static final class FetchedAtFn extends MapFn<Pair<Tuple3<Long, Long, TrackAttributes>, Long>, Long> {
    @Override
    public Long map(Pair<Tuple3<Long, Long, TrackAttributes>, Long> computed) {
      return computed.first().first();
    }
  }

  /** The computed attributes of a delivered live track; a delivered tombstone drops the track. */
  static final class ComputedDeliveredFn
      extends AccountedDoFn<Pair<String, Pair<Tuple3<Long, Long, TrackAttributes>, Long>>, TrackAttributes> {
    @Override
    public void process(Pair<String, Pair<Tuple3<Long, Long, TrackAttributes>, Long>> track,
        Emitter<TrackAttributes> emitter) {
      countIn(1);
      TrackAttributes attributes = track.second().first().third();
      if (attributes == null) {
        countSkipped(TRACK_DELETED, 1);
      } else {
        increment(ATTRIBUTES_GROUP, COMPUTED);
        countOut(1);
        countWritten(1);
        emitter.emit(attributes);
      }
    }
  }

  static final class TrackFn extends MapFn<TrackAnalysis, String> {
    @Override
    public String map(TrackAnalysis record) {
      return record.getTrackId();
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
      extends AccountedDoFn<Pair<String, Pair<Long, TrackAttributes>>, TrackAttributes> {
    @Override
    public void process(Pair<String, Pair<Long, TrackAttributes>> track,
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

  static final class AttributesTrackFn extends MapFn<TrackAttributes, String> {
    @Override
    public String map(TrackAttributes attributes) {
      return attributes.getTrackId();
    }
  }
}
