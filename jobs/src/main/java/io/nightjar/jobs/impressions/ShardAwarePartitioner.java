package io.nightjar.jobs.impressions;

import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.mapred.AvroWrapper;
import org.apache.hadoop.mapreduce.Partitioner;

/**
 * Partitions a salted join's keys {@code ((key, shard), tag)} so the shards of one key go to consecutive reducers:
 * {@code (hash(key) + shard) mod reducers}. Crunch's join partitioner hashes {@code (key, shard)} as a whole, which can
 * put two shards of a hot key on the same reducer and undo the sharding.
 */
public final class ShardAwarePartitioner extends Partitioner<Object, Object> {

  @Override
  public int getPartition(Object key, Object value, int partitions) {
    IndexedRecord tagged = (IndexedRecord) (key instanceof AvroWrapper ? ((AvroWrapper<?>) key).datum() : key);
    IndexedRecord salted = (IndexedRecord) tagged.get(0);
    int keyHash = ShardPlan.murmurMix(salted.get(0).toString().hashCode()) & Integer.MAX_VALUE;
    int shard = (Integer) salted.get(1);
    return (int) ((keyHash + (long) shard) % partitions);
  }
}
