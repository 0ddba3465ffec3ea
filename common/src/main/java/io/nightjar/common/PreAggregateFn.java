package io.nightjar.common;

import java.util.HashMap;
import java.util.Map;
import org.apache.commons.lang.SerializationUtils;
import org.apache.crunch.Aggregator;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;
import org.apache.crunch.Pair;

/**
 * In-mapper combining: aggregates values per key in task memory with a Crunch {@link Aggregator} and emits one
 * partial per key when the task ends (or when {@code maxKeys} distinct keys are held, to bound memory). Put it right
 * before {@code groupByKey().combineValues(sameAggregator)}: only partials reach the shuffle, instead of every
 * record being serialized, sorted and spilled to be combined there.
 *
 * <p>Use it when a task sees many records per key (sensor-days, ad ids); with mostly distinct keys it only adds a
 * hash map. The aggregator must be associative and commutative, as any combiner.
 */
public final class PreAggregateFn<K, V> extends DoFn<Pair<K, V>, Pair<K, V>> {

  private final Aggregator<V> prototype;
  private final int maxKeys;
  private transient Map<K, Aggregator<V>> partials;

  public PreAggregateFn(Aggregator<V> aggregator, int maxKeys) {
    this.prototype = aggregator;
    this.maxKeys = maxKeys;
  }

  @Override
  public void initialize() {
    partials = new HashMap<>();
  }

  @Override
  public void process(Pair<K, V> input, Emitter<Pair<K, V>> emitter) {
    Aggregator<V> partial = partials.get(input.first());
    if (partial == null) {
      if (partials.size() >= maxKeys) {
        flush(emitter);
      }
      @SuppressWarnings("unchecked")
      Aggregator<V> fresh = (Aggregator<V>) SerializationUtils.clone(prototype);
      fresh.initialize(getConfiguration());
      fresh.reset();
      partial = fresh;
      partials.put(input.first(), partial);
    }
    partial.update(input.second());
  }

  @Override
  public void cleanup(Emitter<Pair<K, V>> emitter) {
    flush(emitter);
  }

  private void flush(Emitter<Pair<K, V>> emitter) {
    for (Map.Entry<K, Aggregator<V>> entry : partials.entrySet()) {
      for (V value : entry.getValue().results()) {
        emitter.emit(Pair.of(entry.getKey(), value));
      }
    }
    partials.clear();
  }
}
