package io.nightjar.jobs.ads;

import org.apache.hadoop.conf.Configurable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Partitioner;

/**
 * Partitions a salted join's keys ({@link SaltedKey}: key, shard, tag) by the {@link ShardPlan} in the job configuration
 * ({@value #PLAN_KEY}): hot shards where the plan placed them, other keys next to their hash,
 * {@code (hash(key) + shard) mod reducers}, so the shards of one key land on different reducers. Crunch's join
 * partitioner hashes {@code (key, shard)} as a whole, which can put two shards of a hot key on one reducer.
 */
public final class ShardAwarePartitioner extends Partitioner<Object, Object> implements Configurable {

  public static final String PLAN_KEY = "nightjar.join.shard-plan";

  private Configuration conf;
  private ShardPlan plan = ShardPlan.uniform(1);

  @Override
  public void setConf(Configuration conf) {
    this.conf = conf;
    String serialized = conf.get(PLAN_KEY);
    plan = serialized == null ? ShardPlan.uniform(1) : ShardPlan.deserialize(serialized);
  }

  @Override
  public Configuration getConf() {
    return conf;
  }

  @Override
  public int getPartition(Object key, Object value, int partitions) {
    SaltedKey salted = (SaltedKey) key;
    return plan.partition(salted.key(), salted.shard(), partitions);
  }
}
