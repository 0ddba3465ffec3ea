package io.nightjar.jobs.ads;

import io.nightjar.avro.AdMetadata;
import io.nightjar.avro.Impression;
import io.nightjar.jobs.ads.ImpressionsJoin.Strategy;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.lib.join.JoinType;
import org.apache.crunch.types.avro.Avros;

/**
 * {@code --strategy mapside}: the metadata rows loaded by each map task, each ad's latest kept
 * ({@link ImpressionsJoin#joinMapside}), no metadata shuffled.
 */
public class MapsideJoinTest extends ImpressionsJoinTester {

  @Override
  protected Strategy strategy() {
    return Strategy.MAPSIDE;
  }

  @Override
  protected ShardPlan plan() {
    return null;
  }

  @Override
  protected long metadataRowsShuffled() {
    return 0;
  }

  /** The map-side join itself (not Crunch's strategy, which the tool does not use for it). */
  @Override
  protected PTable<String, Pair<AdMetadata, Impression>> strategyJoin(JoinType joinType) {
    PTable<String, Impression> byAd = checked().first().by(new ImpressionAdIdFn(), Avros.strings());
    return ImpressionsJoin.mapside(metadataRows().asReadable(false), byAd, joinType);
  }
}
