package io.nightjar.jobs.impressions;

import java.io.Serializable;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;
import org.apache.crunch.GroupingOptions;
import org.apache.crunch.MapFn;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.lib.join.InnerJoinFn;
import org.apache.crunch.lib.join.JoinFn;
import org.apache.crunch.lib.join.JoinStrategy;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.lib.join.RightOuterJoinFn;
import org.apache.crunch.types.PTableType;
import org.apache.crunch.types.PType;
import org.apache.crunch.types.PTypeFamily;
import org.apache.crunch.types.avro.AvroTypeFamily;

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
 * join partitioner hashes {@code (key, shard)} as a whole). Keys are strings and the types Avro, as the partitioner
 * reads the shuffled keys as Avro records.
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

  public SaltedJoinStrategy(ShardPlan plan, int reducers, RecordId<V> recordId) {
    if (reducers < 1) {
      throw new IllegalArgumentException("reducers must be >= 1, not " + reducers);
    }
    this.plan = plan;
    this.reducers = reducers;
    this.recordId = recordId;
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
    PType<Pair<String, Integer>> saltedKey = ptf.pairs(left.getKeyType(), ptf.ints());
    PTableType<Pair<Pair<String, Integer>, Integer>, Pair<U, V>> tagged =
        ptf.tableOf(ptf.pairs(saltedKey, ptf.ints()), ptf.pairs(left.getValueType(), right.getValueType()));
    PTable<Pair<Pair<String, Integer>, Integer>, Pair<U, V>> taggedLeft =
        left.parallelDo("copy left per shard", new CopyLeftPerShardFn<U, V>(plan), tagged);
    PTable<Pair<Pair<String, Integer>, Integer>, Pair<U, V>> taggedRight =
        right.parallelDo("salt right", new SaltRightFn<U, V>(plan, recordId), tagged);
    GroupingOptions options = GroupingOptions.builder()
        .requireSortedKeys()
        .partitionerClass(ShardAwarePartitioner.class)
        .conf(ShardAwarePartitioner.PLAN_KEY, plan.serialize())
        .numReducers(reducers)
        .build();
    JoinFn<Pair<String, Integer>, U, V> joinFn = joinType == JoinType.INNER_JOIN
        ? new InnerJoinFn<>(saltedKey, left.getValueType())
        : new RightOuterJoinFn<>(saltedKey, left.getValueType());
    return taggedLeft.union(taggedRight).groupByKey(options)
        .parallelDo(joinFn.getJoinType(), joinFn, ptf.tableOf(saltedKey, tagged.getValueType()))
        .parallelDo("unsalt", new UnsaltFn<U, V>(), ptf.tableOf(left.getKeyType(), tagged.getValueType()));
  }

  /**
   * ((key, shard), tag 0) for each shard of the key: rows tagged 0 sort before the right side's 1 in a reduce group,
   * so the join function holds them when the right values stream past, as in Crunch's {@code DefaultJoinStrategy}.
   */
  static final class CopyLeftPerShardFn<U, V>
      extends DoFn<Pair<String, U>, Pair<Pair<Pair<String, Integer>, Integer>, Pair<U, V>>> {
    private final ShardPlan plan;

    CopyLeftPerShardFn(ShardPlan plan) {
      this.plan = plan;
    }

    @Override
    public void process(Pair<String, U> row, Emitter<Pair<Pair<Pair<String, Integer>, Integer>, Pair<U, V>>> emitter) {
      int shards = plan.shards(row.first());
      for (int shard = 0; shard < shards; shard++) {
        emitter.emit(Pair.of(Pair.of(Pair.of(row.first(), shard), 0), Pair.of(row.second(), null)));
      }
    }
  }

  /** ((key, shard of the record id), tag 1). */
  static final class SaltRightFn<U, V>
      extends MapFn<Pair<String, V>, Pair<Pair<Pair<String, Integer>, Integer>, Pair<U, V>>> {
    private final ShardPlan plan;
    private final RecordId<V> recordId;

    SaltRightFn(ShardPlan plan, RecordId<V> recordId) {
      this.plan = plan;
      this.recordId = recordId;
    }

    @Override
    public Pair<Pair<Pair<String, Integer>, Integer>, Pair<U, V>> map(Pair<String, V> row) {
      int shard = plan.shardOf(row.first(), recordId.of(row.second()));
      return Pair.of(Pair.of(Pair.of(row.first(), shard), 1), Pair.of(null, row.second()));
    }
  }

  static final class UnsaltFn<U, V> extends MapFn<Pair<Pair<String, Integer>, Pair<U, V>>, Pair<String, Pair<U, V>>> {
    @Override
    public Pair<String, Pair<U, V>> map(Pair<Pair<String, Integer>, Pair<U, V>> joined) {
      return Pair.of(joined.first().first(), joined.second());
    }
  }
}
