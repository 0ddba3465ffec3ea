package io.nightjar.jobs.impressions;

import io.nightjar.common.LatestPerKey;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;
import org.apache.crunch.GroupingOptions;
import org.apache.crunch.MapFn;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.lib.join.JoinStrategy;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.types.PTableType;
import org.apache.crunch.types.PTypeFamily;
import org.apache.crunch.types.avro.AvroType;
import org.apache.crunch.types.avro.AvroTypeFamily;
import org.apache.crunch.types.writable.Writables;

/**
 * nightjar's salted reduce-side join, as a Crunch {@link JoinStrategy}: each left value is copied to every shard its
 * key has in a {@link ShardPlan}, each right value goes to one shard chosen by a stable hash of its record id
 * ({@link ShardPlan#shardOf}), and the shards are placed on reducers by {@link ShardAwarePartitioner} (least-loaded
 * placement for an adaptive plan, consecutive reducers otherwise). Use it when a few keys carry most right values
 * and the left side is one small value per key. nightjar's {@code sharded} strategy is this join with a
 * {@link ShardPlan#uniform} plan (every key spread), {@code adaptive} with a {@link ShardPlan#adaptive} plan (only the
 * keys a sample found hot).
 *
 * <p>Like Crunch's {@code ShardedJoinStrategy} (crunch-core {@code lib/join/ShardedJoinStrategy.java}), which also
 * replicates the left side, it supports {@code INNER_JOIN} and {@code RIGHT_OUTER_JOIN} only: a left value that meets
 * no right value would come out once per shard in a left or full outer join. It differs in two ways: the shard of a
 * right value depends on the value alone (Crunch draws it from a {@code Random} seeded with the map task's number, so
 * it depends on which task reads the value and in what order), and shards of one key never share a reducer (Crunch's
 * join partitioner hashes {@code (key, shard)} as a whole). Keys are strings and the types Avro.
 *
 * <p>Performance: the shuffle is not Avro. Keys are {@link SaltedKey} Writables sorted on their bytes, values are bytes
 * of a {@link RowCodec} (Avro binary unless the caller gives a codec for the right side, as nightjar does for
 * impressions with {@link ImpressionCodec}). Avro-typed shuffles spent most of the sharded join's time interpreting
 * schemas (JFR, 10,000,000 impressions: 20.7% comparing keys, 38% serializing), see {@code bench/PROFILE.md}.
 */
public final class SaltedJoinStrategy<U, V> implements JoinStrategy<String, U, V> {

  private static final long serialVersionUID = 1L;

  /** The id of a right value that picks its shard; must not change between reads of the same value. */
  public interface RecordId<V> extends Serializable {
    String of(V value);
  }

  private final ShardPlan plan;
  private final int reducers;
  private final RecordId<V> recordId;
  private final RowCodec<V> rightCodec;
  private final LatestPerKey.Order<U> latestLeft;
  private final String droppedCounterGroup;
  private final String droppedCounter;

  /**
   * @param rightCodec how the right values travel through the shuffle; null for Avro's binary form. The left values
   *     always travel as Avro (one row per key and shard: not worth a codec of their own).
   */
  public SaltedJoinStrategy(ShardPlan plan, int reducers, RecordId<V> recordId, RowCodec<V> rightCodec) {
    this(plan, reducers, recordId, rightCodec, null, null, null);
  }

  private SaltedJoinStrategy(ShardPlan plan, int reducers, RecordId<V> recordId, RowCodec<V> rightCodec,
      LatestPerKey.Order<U> latestLeft, String droppedCounterGroup, String droppedCounter) {
    if (reducers < 1) {
      throw new IllegalArgumentException("reducers must be >= 1, not " + reducers);
    }
    this.plan = plan;
    this.reducers = reducers;
    this.recordId = recordId;
    this.rightCodec = rightCodec;
    this.latestLeft = latestLeft;
    this.droppedCounterGroup = droppedCounterGroup;
    this.droppedCounter = droppedCounter;
  }

  /**
   * This join, keeping only the latest of a key's left values ({@code order}) and counting the others it drops in
   * counter {@code group}/{@code counter}: deduplication in the join's own shuffle, so a left side with duplicate rows
   * needs no job of its own before the join. The left side is copied per shard, so only shard 0 counts.
   */
  public SaltedJoinStrategy<U, V> keepingLatestLeft(LatestPerKey.Order<U> order, String group, String counter) {
    return new SaltedJoinStrategy<>(plan, reducers, recordId, rightCodec, order, group, counter);
  }

  public ShardPlan plan() {
    return plan;
  }

  @Override
  public PTable<String, Pair<U, V>> join(PTable<String, U> left, PTable<String, V> right, JoinType joinType) {
    if (joinType != JoinType.INNER_JOIN && joinType != JoinType.RIGHT_OUTER_JOIN) {
      throw new UnsupportedOperationException("Join type " + joinType + " not supported by SaltedJoinStrategy");
    }
    PTypeFamily ptf = left.getTypeFamily();
    if (!(ptf instanceof AvroTypeFamily)) {
      throw new IllegalArgumentException("SaltedJoinStrategy needs Avro types, not " + ptf);
    }
    RowCodec<U> leftCodec = RowCodec.avro(((AvroType<U>) left.getValueType()).getSchema());
    RowCodec<V> rightCodec = this.rightCodec != null ? this.rightCodec
        : RowCodec.avro(((AvroType<V>) right.getValueType()).getSchema());
    PTableType<SaltedKey, ByteBuffer> shuffled =
        Writables.tableOf(Writables.writables(SaltedKey.class), Writables.bytes());
    PTable<SaltedKey, ByteBuffer> taggedLeft =
        left.parallelDo("copy left per shard", new CopyLeftPerShardFn<>(plan, leftCodec), shuffled);
    PTable<SaltedKey, ByteBuffer> taggedRight =
        right.parallelDo("salt right", new SaltRightFn<>(plan, recordId, rightCodec), shuffled);
    GroupingOptions options = GroupingOptions.builder()
        .requireSortedKeys()
        .partitionerClass(ShardAwarePartitioner.class)
        .conf(ShardAwarePartitioner.PLAN_KEY, plan.serialize())
        .numReducers(reducers)
        .build();
    return taggedLeft.union(taggedRight).groupByKey(options)
        .parallelDo(joinType.toString().toLowerCase().replace('_', ' '),
            new SaltedJoinFn<>(joinType == JoinType.INNER_JOIN, leftCodec, rightCodec, latestLeft, droppedCounterGroup,
                droppedCounter),
            ptf.tableOf(left.getKeyType(), ptf.pairs(left.getValueType(), right.getValueType())));
  }

  /** ((key, shard, 0), value) for each shard of the key. */
  static final class CopyLeftPerShardFn<U> extends DoFn<Pair<String, U>, Pair<SaltedKey, ByteBuffer>> {
    private final ShardPlan plan;
    private final RowCodec<U> codec;

    CopyLeftPerShardFn(ShardPlan plan, RowCodec<U> codec) {
      this.plan = plan;
      this.codec = codec;
    }

    @Override
    public void process(Pair<String, U> row, Emitter<Pair<SaltedKey, ByteBuffer>> emitter) {
      int shards = plan.shards(row.first());
      ByteBuffer value = ByteBuffer.wrap(codec.encode(row.second()));
      for (int shard = 0; shard < shards; shard++) {
        emitter.emit(Pair.of(new SaltedKey(row.first(), shard, 0), value));
      }
    }
  }

  /** ((key, shard of the record id, 1), value). */
  static final class SaltRightFn<V> extends MapFn<Pair<String, V>, Pair<SaltedKey, ByteBuffer>> {
    private final ShardPlan plan;
    private final RecordId<V> recordId;
    private final RowCodec<V> codec;

    SaltRightFn(ShardPlan plan, RecordId<V> recordId, RowCodec<V> codec) {
      this.plan = plan;
      this.recordId = recordId;
      this.codec = codec;
    }

    @Override
    public Pair<SaltedKey, ByteBuffer> map(Pair<String, V> row) {
      int shard = plan.shardOf(row.first(), recordId.of(row.second()));
      return Pair.of(new SaltedKey(row.first(), shard, 1), ByteBuffer.wrap(codec.encode(row.second())));
    }
  }

  /**
   * The join of one reduce group: a shard's left values (tag 0) are kept until its right values (tag 1, the next
   * group) have streamed past, each paired with every left value, or with null in a right outer join when there is
   * none. The same logic as Crunch's {@code RightOuterJoinFn}/{@code InnerJoinFn} over the decoded values.
   */
  static final class SaltedJoinFn<U, V> extends DoFn<Pair<SaltedKey, Iterable<ByteBuffer>>, Pair<String, Pair<U, V>>> {
    private final boolean inner;
    private final RowCodec<U> leftCodec;
    private final RowCodec<V> rightCodec;
    private final LatestPerKey.Order<U> latestLeft;
    private final String droppedCounterGroup;
    private final String droppedCounter;
    private transient String lastKey;
    private transient int lastShard;
    private transient List<U> leftValues;

    SaltedJoinFn(boolean inner, RowCodec<U> leftCodec, RowCodec<V> rightCodec, LatestPerKey.Order<U> latestLeft,
        String droppedCounterGroup, String droppedCounter) {
      this.inner = inner;
      this.leftCodec = leftCodec;
      this.rightCodec = rightCodec;
      this.latestLeft = latestLeft;
      this.droppedCounterGroup = droppedCounterGroup;
      this.droppedCounter = droppedCounter;
    }

    @Override
    public void initialize() {
      lastKey = null;
      leftValues = new ArrayList<>();
    }

    @Override
    public void process(Pair<SaltedKey, Iterable<ByteBuffer>> group, Emitter<Pair<String, Pair<U, V>>> emitter) {
      SaltedKey key = group.first();
      if (lastKey == null || !key.sameShard(lastKey, lastShard)) {
        lastKey = key.key();
        lastShard = key.shard();
        leftValues.clear();
      }
      if (key.tag() == 0) {
        for (ByteBuffer value : group.second()) {
          leftValues.add(leftCodec.decode(value.array(), value.arrayOffset() + value.position(), value.remaining()));
        }
        if (latestLeft != null && leftValues.size() > 1) {
          U latest = leftValues.get(0);
          for (U candidate : leftValues) {
            latest = latestLeft.wins(candidate, latest) ? candidate : latest;
          }
          if (key.shard() == 0) {
            increment(droppedCounterGroup, droppedCounter, leftValues.size() - 1);
          }
          leftValues.clear();
          leftValues.add(latest);
        }
        return;
      }
      for (ByteBuffer value : group.second()) {
        V right = rightCodec.decode(value.array(), value.arrayOffset() + value.position(), value.remaining());
        if (leftValues.isEmpty()) {
          if (!inner) {
            emitter.emit(Pair.of(lastKey, Pair.of(null, right)));
          }
        } else {
          for (U leftValue : leftValues) {
            emitter.emit(Pair.of(lastKey, Pair.of(leftValue, right)));
          }
        }
      }
    }
  }
}
