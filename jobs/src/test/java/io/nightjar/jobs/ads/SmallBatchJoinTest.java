package io.nightjar.jobs.ads;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.Impression;
import org.apache.crunch.lib.join.JoinStrategy;

/**
 * The sharded join's cases with right rows shuffled in batches of 60 bytes (one or two rows) and all batches flushed
 * whenever 150 bytes are held: the same rows as with the default batches (no row of a batch lost or repeated at a
 * flush).
 */
public class SmallBatchJoinTest extends ShardedJoinTest {

  @Override
  protected JoinStrategy<String, AdMetadata, Impression> joinStrategy() {
    return ((SaltedJoinStrategy<AdMetadata, Impression>) super.joinStrategy()).withBatchLimits(60, 150);
  }
}
