package io.nightjar.common.crunch;

import java.io.Serializable;
import java.util.Collections;
import org.apache.crunch.Aggregator;
import org.apache.crunch.MapFn;
import org.apache.crunch.PTable;
import org.apache.crunch.Pair;
import org.apache.crunch.types.PTypeFamily;
import org.apache.hadoop.conf.Configuration;

/**
 * "The latest record per key" as one Crunch building block: of the records sharing a key, the one an {@link Order}
 * puts first wins, and the number of records it was chosen from travels with it (so a caller can count what it
 * dropped). An {@link Aggregator}, so it is combined map-side and only one record per key and task is shuffled.
 *
 * <p>The order must be strict and total (ties broken by the record's content), so that the winner does not depend on
 * which file or task a record came from.
 *
 * <p>{@link Order} and {@link Copy} are abstract classes, not functional interfaces, so that they cannot be lambdas:
 * a serializable lambda is named in its class's {@code $deserializeLambda$} by signature strings that the job jar's
 * relocation does not rewrite, and fails in the tasks. Subclass them as named static classes, as DoFns are.
 */
public final class LatestPerKey<T> implements Aggregator<Pair<T, Long>> {

  /** Whether {@code a} wins over {@code b}; true only when {@code a} is strictly greater. */
  public abstract static class Order<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    public abstract boolean wins(T a, T b);
  }

  /** A copy of a record that Crunch may reuse after {@link Aggregator#update} returns. */
  public abstract static class Copy<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    public abstract T copy(T record);
  }

  private final Order<T> order;
  private final Copy<T> copy;
  private transient T best;
  private transient long records;

  public LatestPerKey(Order<T> order, Copy<T> copy) {
    this.order = order;
    this.copy = copy;
  }

  /** Per key of {@code keyed}, its winning value and the number of values it was chosen from. */
  public static <K, T> PTable<K, Pair<T, Long>> latest(PTable<K, T> keyed, Order<T> order, Copy<T> copy) {
    PTypeFamily family = keyed.getTypeFamily();
    return keyed
        .mapValues("one record", new OneRecordFn<>(), family.pairs(keyed.getValueType(), family.longs()))
        .groupByKey()
        .combineValues(new LatestPerKey<>(order, copy));
  }

  @Override
  public void initialize(Configuration conf) {
    reset();
  }

  @Override
  public void reset() {
    best = null;
    records = 0;
  }

  @Override
  public void update(Pair<T, Long> value) {
    if (best == null || order.wins(value.first(), best)) {
      best = copy.copy(value.first());
    }
    records += value.second();
  }

  @Override
  public Iterable<Pair<T, Long>> results() {
    return Collections.singletonList(Pair.of(best, records));
  }

  /** A value standing for one record. */
  static final class OneRecordFn<T> extends MapFn<T, Pair<T, Long>> {
    @Override
    public Pair<T, Long> map(T value) {
      return Pair.of(value, 1L);
    }
  }
}
