package io.nightjar.jobs.ads;

import io.nightjar.common.crunch.StableHash;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang.SerializationException;
import org.apache.commons.lang.SerializationUtils;
import org.apache.crunch.lib.join.ShardedJoinStrategy;

/**
 * How many shards each ad id's impressions are spread over. A salted join sends shard {@code s} of ad {@code a} to
 * its own reduce group, with a copy of the ad's metadata for each shard. {@link #uniform} gives every ad the same
 * count (metadata copied that many times); {@link #adaptive} gives more than one shard only to the few hot ads whose
 * estimated impressions exceed a target, so cold ads stay single and their metadata is shuffled once.
 *
 * <p>Which shard an impression goes to is the join's choice ({@link SaltedJoinStrategy}: a map task's batches of an ad
 * take its shards in turn); the plan says how many there are and where they run.
 *
 * <p>A plan is also Crunch's {@link ShardedJoinStrategy.ShardingStrategy} ({@link #getNumShards}: how many copies of a
 * key's left side to shuffle), so the same plan drives nightjar's {@link SaltedJoinStrategy} and Crunch's own
 * {@code ShardedJoinStrategy}; only the salted join also uses {@link #partition}.
 */
public final class ShardPlan implements ShardedJoinStrategy.ShardingStrategy<String>, Serializable {

  private static final long serialVersionUID = 1L;

  private final int defaultShards;
  private final Map<String, Integer> shardsByKey;
  /** Reducer of each hot key's shards, "adId/shard" to reducer; empty: shards go to consecutive reducers. */
  private final Map<String, Integer> placement;

  private ShardPlan(int defaultShards, Map<String, Integer> shardsByKey, Map<String, Integer> placement) {
    this.defaultShards = defaultShards;
    this.shardsByKey = shardsByKey;
    this.placement = placement;
  }

  /** Every key gets {@code shards} shards. */
  public static ShardPlan uniform(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, not " + shards);
    }
    return new ShardPlan(shards, Collections.emptyMap(), Collections.emptyMap());
  }

  /**
   * Shards for hot keys from estimated per-key counts: a key gets {@code ceil(estimate / targetRowsPerShard)} shards
   * (at most {@code reducers}); keys at or under the target get one. The hot shards are then placed on reducers
   * greedily, largest first onto the least-loaded reducer, counting the estimated load of the cold keys where the
   * partitioner's hash will put them, so hot shards neither pile onto each other nor onto busy reducers.
   */
  public static ShardPlan adaptive(Map<String, Long> estimatedCounts, long targetRowsPerShard, int reducers) {
    Map<String, Integer> hot = new HashMap<>();
    long[] load = new long[reducers];
    for (Map.Entry<String, Long> entry : estimatedCounts.entrySet()) {
      long shards = (entry.getValue() + targetRowsPerShard - 1) / Math.max(1, targetRowsPerShard);
      if (shards > 1) {
        hot.put(entry.getKey(), (int) Math.min(shards, reducers));
      } else {
        load[hashPartition(entry.getKey(), 0, reducers)] += entry.getValue();
      }
    }
    List<Map.Entry<String, Long>> pieces = new ArrayList<>();
    for (Map.Entry<String, Integer> key : hot.entrySet()) {
      long piece = estimatedCounts.get(key.getKey()) / key.getValue();
      for (int shard = 0; shard < key.getValue(); shard++) {
        pieces.add(new AbstractMap.SimpleEntry<>(key.getKey() + "/" + shard, piece));
      }
    }
    pieces.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    Map<String, Integer> placement = new HashMap<>();
    for (Map.Entry<String, Long> piece : pieces) {
      int least = 0;
      for (int r = 1; r < reducers; r++) {
        least = load[r] < load[least] ? r : least;
      }
      load[least] += piece.getValue();
      placement.put(piece.getKey(), least);
    }
    return new ShardPlan(1, hot, placement);
  }

  /**
   * The largest reducer load of an unsharded join of {@code counts} over {@code reducers} (every key's rows on one
   * reducer, keys spread by a hash): what the default strategy's busiest task would hold, estimated. At least the
   * largest key's count, whatever the hash.
   */
  public static long largestUnshardedLoad(Map<String, Long> counts, int reducers) {
    long[] load = new long[Math.max(1, reducers)];
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      load[hashPartition(entry.getKey(), 0, load.length)] += entry.getValue();
    }
    long largest = 0;
    for (long rows : load) {
      largest = Math.max(largest, rows);
    }
    return largest;
  }

  /** The reducer of shard {@code shard} of {@code key}: as placed by the plan, else next to the key's hash. */
  public int partition(String key, int shard, int reducers) {
    if (placement.isEmpty()) {
      return hashPartition(key, shard, reducers);
    }
    Integer placed = placement.get(key + "/" + shard);
    return placed != null && placed < reducers ? placed : hashPartition(key, shard, reducers);
  }

  static int hashPartition(String key, int shard, int reducers) {
    return (int) ((StableHash.of(key) + (long) shard) % reducers);
  }

  /** The plan as one configuration value, for the partitioner. */
  public String serialize() {
    return Base64.getEncoder().encodeToString(SerializationUtils.serialize(this));
  }

  public static ShardPlan deserialize(String value) {
    try {
      return (ShardPlan) SerializationUtils.deserialize(Base64.getDecoder().decode(value));
    } catch (SerializationException | IllegalArgumentException e) {
      throw new IllegalStateException("unreadable shard plan in the job configuration", e);
    }
  }

  /** Shards of {@code key}'s rows: its count in the plan, else the plan's default (1 for an adaptive plan). */
  public int shards(String key) {
    return shardsByKey.getOrDefault(key, defaultShards);
  }

  /** {@link #shards}, as Crunch's {@code ShardingStrategy} asks it. */
  @Override
  public int getNumShards(String key) {
    return shards(key);
  }

  /** Keys with more than the default number of shards. */
  public Map<String, Integer> hotKeys() {
    return Collections.unmodifiableMap(shardsByKey);
  }

  @Override
  public String toString() {
    return shardsByKey.isEmpty() ? defaultShards + " shard(s) per key"
        : shardsByKey.size() + " hot key(s) sharded (up to "
            + shardsByKey.values().stream().mapToInt(Integer::intValue).max().orElse(1) + " shards), others 1";
  }

}
