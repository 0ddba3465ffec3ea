package io.nightjar.jobs.impressions;

import java.io.Serializable;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * How many shards each ad id's impressions are spread over. A salted join sends shard {@code s} of ad {@code a} to
 * its own reduce group, with a copy of the ad's metadata for each shard. {@link #uniform} gives every ad the same
 * count (metadata copied that many times); {@link #adaptive} gives more than one shard only to the few hot ads whose
 * estimated impressions exceed a target, so cold ads stay single and their metadata is shuffled once.
 *
 * <p>The shard of an impression is a hash of its id: the same impression always lands in the same shard, whichever
 * task attempt reads it, so a retried task does not change the result.
 */
public final class ShardPlan implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int defaultShards;
  private final Map<String, Integer> shardsByKey;

  private ShardPlan(int defaultShards, Map<String, Integer> shardsByKey) {
    this.defaultShards = defaultShards;
    this.shardsByKey = shardsByKey;
  }

  /** Every key gets {@code shards} shards. */
  public static ShardPlan uniform(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, not " + shards);
    }
    return new ShardPlan(shards, Collections.emptyMap());
  }

  /**
   * Shards for hot keys from estimated per-key counts: a key gets {@code ceil(estimate / targetRowsPerShard)} shards
   * (at most {@code maxShards}); keys at or under the target get one.
   */
  public static ShardPlan adaptive(Map<String, Long> estimatedCounts, long targetRowsPerShard, int maxShards) {
    Map<String, Integer> hot = new HashMap<>();
    for (Map.Entry<String, Long> entry : estimatedCounts.entrySet()) {
      long shards = (entry.getValue() + targetRowsPerShard - 1) / Math.max(1, targetRowsPerShard);
      if (shards > 1) {
        hot.put(entry.getKey(), (int) Math.min(shards, maxShards));
      }
    }
    return new ShardPlan(1, hot);
  }

  public int shards(String key) {
    return shardsByKey.getOrDefault(key, defaultShards);
  }

  /** The shard of one record of {@code key}, from a stable hash of its id. */
  public int shardOf(String key, String recordId) {
    int shards = shards(key);
    return shards == 1 ? 0 : Math.floorMod(murmurMix(recordId.hashCode()), shards);
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

  /** MurmurHash3's finalizer: spreads String.hashCode's low bits. */
  static int murmurMix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
