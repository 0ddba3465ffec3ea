package io.nightjar.jobs.sensors.mapreduce;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.hadoop.io.Writable;

/** Partial figures of one sensor-period, mergeable in any order: count, sum, min, max. */
public final class ReadingStats implements Writable {

  private long count;
  private double sum;
  private double min;
  private double max;

  public ReadingStats() {
  }

  public ReadingStats(long count, double sum, double min, double max) {
    set(count, sum, min, max);
  }

  public static ReadingStats of(double value) {
    return new ReadingStats(1, value, value, value);
  }

  public void set(long count, double sum, double min, double max) {
    this.count = count;
    this.sum = sum;
    this.min = min;
    this.max = max;
  }

  /** Resets to the empty state, ready to {@link #merge}. */
  public void clear() {
    set(0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
  }

  public void merge(ReadingStats other) {
    count += other.count;
    sum += other.sum;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
  }

  /** Adds one reading. */
  public void add(double value) {
    count++;
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }

  public long count() {
    return count;
  }

  public double sum() {
    return sum;
  }

  public double min() {
    return min;
  }

  public double max() {
    return max;
  }

  public double mean() {
    return sum / count;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeLong(count);
    out.writeDouble(sum);
    out.writeDouble(min);
    out.writeDouble(max);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    set(in.readLong(), in.readDouble(), in.readDouble(), in.readDouble());
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReadingStats)) {
      return false;
    }
    ReadingStats other = (ReadingStats) o;
    return count == other.count && Double.compare(sum, other.sum) == 0 && Double.compare(min, other.min) == 0
        && Double.compare(max, other.max) == 0;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(count) * 31 + Double.hashCode(sum);
  }

  @Override
  public String toString() {
    return count + "\t" + min + "\t" + max + "\t" + sum + "\t" + mean();
  }
}
