package io.nightjar.jobs.ads;

import io.nightjar.common.crunch.LatestPerKey;
import io.nightjar.common.crunch.StableHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;
import org.apache.crunch.GroupingOptions;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.lib.join.JoinStrategy;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.types.PTableType;
import org.apache.crunch.types.PTypeFamily;
import org.apache.crunch.types.avro.AvroType;
import org.apache.crunch.types.avro.AvroTypeFamily;
import org.apache.crunch.types.writable.Writables;
import org.apache.hadoop.io.WritableComparator;
import org.apache.hadoop.io.WritableUtils;

/**
 * nightjar's salted reduce-side join, as a Crunch {@link JoinStrategy}: each left value is copied to every shard its
 * key has in a {@link ShardPlan}, each right value travels in a map task's batch of its key, the key's batches taking
 * its shards in turn ({@link BatchRightFn}), and the shards are placed on reducers by {@link ShardAwarePartitioner}
 * (least-loaded placement for an adaptive plan, consecutive reducers otherwise). Use it when a few keys carry most right values
 * and the left side is one small value per key. nightjar's {@code sharded} strategy is this join with a
 * {@link ShardPlan#uniform} plan (every key spread), {@code adaptive} with a {@link ShardPlan#adaptive} plan (only the
 * keys a sample found hot).
 *
 * <p>Like Crunch's {@code ShardedJoinStrategy} (crunch-core {@code lib/join/ShardedJoinStrategy.java}), which also
 * replicates the left side, it supports {@code INNER_JOIN} and {@code RIGHT_OUTER_JOIN} only: a left value that meets
 * no right value would come out once per shard in a left or full outer join. It differs in two ways: a map task
 * spreads a key's right values over its shards in turns of batches that grow with the key (Crunch draws each value's
 * shard from a {@code Random} seeded with the map task's number), and shards of one key never share a reducer
 * (Crunch's join partitioner hashes {@code (key, shard)} as a whole). Keys are strings and the types Avro.
 *
 * <p>Performance: the shuffle is not Avro. Keys are {@link SaltedKey} Writables sorted on their bytes, values are bytes
 * of a {@link RowCodec} (Avro binary unless the caller gives a codec for the right side, as nightjar does for
 * impressions with {@link ImpressionCodec}). Avro-typed shuffles spent most of the sharded join's time interpreting
 * schemas (JFR, 10,000,000 impressions: 20.7% comparing keys, 38% serializing), see {@code bench/PROFILE.md}. A map
 * task's right rows travel in batches per key ({@link #MAX_BATCH_BYTES}, at most {@link #MAX_BUFFERED_BYTES} held per
 * task), so the map-side sort orders batches, not rows: sorting 2.5 M impression rows per task was 44% of the map
 * tasks' samples, nearly all of it cache misses comparing keys scattered over the sort buffer. One open batch per key,
 * not one per key and shard: with a row's shard picked by a hash of its id, {@code sharded} kept ten batches an ad
 * open, and its map phase took 3.3 s longer than {@code default}'s in a recording (bench/PROFILE.md, tenth pass).
 */
public final class SaltedJoinStrategy<U, V> implements JoinStrategy<String, U, V> {

  private static final long serialVersionUID = 1L;

  private final ShardPlan plan;
  private final int reducers;
  private final RowCodec<V> rightCodec;
  private final LatestPerKey.Order<U> latestLeft;
  private final String droppedCounterGroup;
  private final String droppedCounter;
  private final int maxBatchBytes;
  private final long maxBufferedBytes;

  /** A batch of right rows is shuffled once it holds this many bytes. */
  public static final int MAX_BATCH_BYTES = 256 << 10;
  /** A map task holds at most this many bytes of right rows in batches before it shuffles them all. */
  public static final long MAX_BUFFERED_BYTES = 32L << 20;

  /**
   * @param rightCodec how the right values travel through the shuffle; null for Avro's binary form. The left values
   *     always travel as Avro (one row per key and shard: not worth a codec of their own).
   */
  public SaltedJoinStrategy(ShardPlan plan, int reducers, RowCodec<V> rightCodec) {
    this(plan, reducers, rightCodec, null, null, null, MAX_BATCH_BYTES, MAX_BUFFERED_BYTES);
  }

  private SaltedJoinStrategy(ShardPlan plan, int reducers, RowCodec<V> rightCodec,
      LatestPerKey.Order<U> latestLeft, String droppedCounterGroup, String droppedCounter, int maxBatchBytes,
      long maxBufferedBytes) {
    if (reducers < 1) {
      throw new IllegalArgumentException("reducers must be >= 1, not " + reducers);
    }
    this.plan = plan;
    this.reducers = reducers;
    this.rightCodec = rightCodec;
    this.latestLeft = latestLeft;
    this.droppedCounterGroup = droppedCounterGroup;
    this.droppedCounter = droppedCounter;
    this.maxBatchBytes = maxBatchBytes;
    this.maxBufferedBytes = maxBufferedBytes;
  }

  /**
   * This join, keeping only the latest of a key's left values ({@code order}) and counting the others it drops in
   * counter {@code group}/{@code counter}: deduplication in the join's own shuffle, so a left side with duplicate rows
   * needs no job of its own before the join. The left side is copied per shard, so only shard 0 counts.
   */
  public SaltedJoinStrategy<U, V> keepingLatestLeft(LatestPerKey.Order<U> order, String group, String counter) {
    return new SaltedJoinStrategy<>(plan, reducers, rightCodec, order, group, counter, maxBatchBytes,
        maxBufferedBytes);
  }

  /** This join with other batch limits (tests: batches of a few rows, flushed often). */
  SaltedJoinStrategy<U, V> withBatchLimits(int batchBytes, long bufferedBytes) {
    return new SaltedJoinStrategy<>(plan, reducers, rightCodec, latestLeft, droppedCounterGroup,
        droppedCounter, batchBytes, bufferedBytes);
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
    PTable<SaltedKey, ByteBuffer> taggedRight = right.parallelDo("salt and batch right",
        new BatchRightFn<>(plan, rightCodec, maxBatchBytes, maxBufferedBytes), shuffled);
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

  /**
   * ((key, shard, 1), batch): a map task's right rows grouped by key, each batch the rows' encoded bytes one after
   * another, each behind its length (a vint). A batch is shuffled when it reaches its limit, all of them when the task
   * holds {@code maxBufferedBytes}, and the rest when the task ends. A key's batches take its shards in turn, from a
   * first shard that follows from the key, the task's number and the task's flushes so far. The limit of a key with
   * more than one shard is a quarter of one shard's share of the key's bytes the task has seen (at least
   * {@value #MIN_SPREAD_BATCH_BYTES}, at most {@code maxBatchBytes}), so its shards' rows from the task differ by at
   * most about a quarter of a share, or one small batch: batches of a hot key start small and grow with it. A key keeps
   * its turn across a flush while it has rows in every flush; the same task reading the same split sends every row
   * where it went before.
   */
  static final class BatchRightFn<V> extends DoFn<Pair<String, V>, Pair<SaltedKey, ByteBuffer>> {
    /** The smallest limit of a batch of a key with several shards. */
    static final int MIN_SPREAD_BATCH_BYTES = 4 << 10;

    private final ShardPlan plan;
    private final RowCodec<V> codec;
    private final int maxBatchBytes;
    private final long maxBufferedBytes;
    private transient Map<String, OpenBatch> batches;
    private transient RowBytes row;
    private transient long buffered;
    private transient int task;
    private transient int flushes;

    BatchRightFn(ShardPlan plan, RowCodec<V> codec, int maxBatchBytes, long maxBufferedBytes) {
      this.plan = plan;
      this.codec = codec;
      this.maxBatchBytes = maxBatchBytes;
      this.maxBufferedBytes = maxBufferedBytes;
    }

    @Override
    public void initialize() {
      batches = new HashMap<>();
      row = new RowBytes(256);
      buffered = 0;
      task = getTaskAttemptID() == null ? 0 : getTaskAttemptID().getTaskID().getId();
      flushes = 0;
    }

    @Override
    public void process(Pair<String, V> input, Emitter<Pair<SaltedKey, ByteBuffer>> emitter) {
      String key = input.first();
      OpenBatch batch = batches.get(key);
      if (batch == null) {
        int shards = plan.shards(key);
        batch = new OpenBatch(firstShard(key, task, flushes, shards), shards);
        batches.put(key, batch);
      }
      RowBytes rows = batch.rows;
      row.reset();
      codec.encode(input.second(), row);
      int before = rows.length();
      rows.writeVInt(row.length());
      rows.write(row.data(), 0, row.length());
      int added = rows.length() - before;
      buffered += added;
      batch.seen += added;
      batch.active = true;
      if (rows.length() >= limit(batch)) {
        buffered -= rows.length();
        emit(key, batch, emitter);
      }
      if (buffered >= maxBufferedBytes) {
        flush(emitter);
      }
    }

    /** The bytes at which {@code batch} is shuffled. */
    private long limit(OpenBatch batch) {
      if (batch.shards == 1) {
        return maxBatchBytes;
      }
      long quarterShare = batch.seen / (4L * batch.shards);
      return Math.min(maxBatchBytes, Math.max(MIN_SPREAD_BATCH_BYTES, quarterShare));
    }

    @Override
    public void cleanup(Emitter<Pair<SaltedKey, ByteBuffer>> emitter) {
      flush(emitter);
    }

    /**
     * Shuffles every batch that holds rows; keys that had no row since the last flush are forgotten (so that a task
     * holds at most the keys of one flush), the others keep their turn.
     */
    private void flush(Emitter<Pair<SaltedKey, ByteBuffer>> emitter) {
      Iterator<Map.Entry<String, OpenBatch>> open = batches.entrySet().iterator();
      while (open.hasNext()) {
        Map.Entry<String, OpenBatch> entry = open.next();
        OpenBatch batch = entry.getValue();
        if (!batch.active) {
          open.remove();
          continue;
        }
        if (batch.rows.length() > 0) {
          emit(entry.getKey(), batch, emitter);
        }
        batch.active = false;
      }
      buffered = 0;
      flushes++;
    }

    /** The shard of a key's first batch in a task after {@code flushes} flushes: consecutive tasks, consecutive shards. */
    static int firstShard(String key, int task, int flushes, int shards) {
      return (int) (((long) StableHash.of(key) + task + flushes) % shards);
    }

    /** Hands the batch's array to the shuffle (no copy) and leaves the batch small: nothing held once shuffled. */
    private static void emit(String key, OpenBatch batch, Emitter<Pair<SaltedKey, ByteBuffer>> emitter) {
      emitter.emit(Pair.of(new SaltedKey(key, batch.shard, 1), batch.rows.detach(32)));
      batch.shard = batch.shard + 1 == batch.shards ? 0 : batch.shard + 1;
    }

    /** A key's rows not yet shuffled, the shard they will go to, and the key's bytes seen by the task. */
    private static final class OpenBatch {
      final RowBytes rows = new RowBytes(32); // grows by doubling: most keys of a task hold few rows
      final int shards;
      int shard;
      long seen;
      boolean active;

      OpenBatch(int shard, int shards) {
        this.shard = shard;
        this.shards = shards;
      }
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
      for (ByteBuffer batch : group.second()) {
        byte[] bytes = batch.array();
        int position = batch.arrayOffset() + batch.position();
        int end = position + batch.remaining();
        while (position < end) {
          int length = readLength(bytes, position);
          position += WritableUtils.decodeVIntSize(bytes[position]);
          V right = rightCodec.decode(bytes, position, length);
          position += length;
          join(right, emitter);
        }
      }
    }

    private void join(V right, Emitter<Pair<String, Pair<U, V>>> emitter) {
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

    private static int readLength(byte[] bytes, int position) {
      try {
        return WritableComparator.readVInt(bytes, position);
      } catch (IOException e) {
        throw new UncheckedIOException("a damaged batch of right rows", e);
      }
    }
  }
}
