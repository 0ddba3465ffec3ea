package io.nightjar.jobs.sensors.mapreduce;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.WritableComparable;
import org.apache.hadoop.io.WritableComparator;
import org.apache.hadoop.io.WritableUtils;
import org.apache.hadoop.mapreduce.Partitioner;

/**
 * The map output key of the classic form: (sensor, period start, timestamp). Sorted by all three; partitioned and
 * grouped by (sensor, period) only, so one reduce call sees a sensor-period's readings in timestamp order and
 * repeats of a reading are adjacent (secondary sort). Without duplicate removal the timestamp is 0, and the sort and
 * the combiner treat a whole sensor-period as one key. Compared in serialized form. The Crunch pipeline's
 * {@code SensorAverages.distinctFigures} uses the same key with the start of a batch's bucket as its third field.
 */
public final class ReadingKey implements WritableComparable<ReadingKey> {

  private final Text sensorId = new Text();
  private long periodStart;
  private long timestamp;

  public void set(String sensorId, long periodStart, long timestamp) {
    this.sensorId.set(sensorId);
    this.periodStart = periodStart;
    this.timestamp = timestamp;
  }

  public String sensorId() {
    return sensorId.toString();
  }

  public long periodStart() {
    return periodStart;
  }

  public long timestamp() {
    return timestamp;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    sensorId.write(out);
    out.writeLong(periodStart);
    out.writeLong(timestamp);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    sensorId.readFields(in);
    periodStart = in.readLong();
    timestamp = in.readLong();
  }

  @Override
  public int compareTo(ReadingKey other) {
    int c = sensorId.compareTo(other.sensorId);
    if (c == 0) {
      c = Long.compare(periodStart, other.periodStart);
    }
    return c != 0 ? c : Long.compare(timestamp, other.timestamp);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReadingKey && compareTo((ReadingKey) o) == 0;
  }

  @Override
  public int hashCode() {
    return (sensorId.hashCode() * 31 + Long.hashCode(periodStart)) * 31 + Long.hashCode(timestamp);
  }

  @Override
  public String toString() {
    return sensorId + "\t" + periodStart + "\t" + timestamp;
  }

  /** Compares serialized keys by sensor, period and, unless grouping, timestamp. */
  abstract static class RawComparator extends WritableComparator {
    private final boolean withTimestamp;

    RawComparator(boolean withTimestamp) {
      super(ReadingKey.class);
      this.withTimestamp = withTimestamp;
    }

    @Override
    public int compare(byte[] b1, int s1, int l1, byte[] b2, int s2, int l2) {
      try {
        int n1 = WritableUtils.decodeVIntSize(b1[s1]);
        int n2 = WritableUtils.decodeVIntSize(b2[s2]);
        int length1 = readVInt(b1, s1);
        int length2 = readVInt(b2, s2);
        int c = compareBytes(b1, s1 + n1, length1, b2, s2 + n2, length2);
        if (c != 0) {
          return c;
        }
        int p1 = s1 + n1 + length1;
        int p2 = s2 + n2 + length2;
        c = Long.compare(readLong(b1, p1), readLong(b2, p2));
        if (c != 0 || !withTimestamp) {
          return c;
        }
        return Long.compare(readLong(b1, p1 + 8), readLong(b2, p2 + 8));
      } catch (IOException e) {
        throw new IllegalArgumentException(e);
      }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public int compare(WritableComparable a, WritableComparable b) {
      ReadingKey x = (ReadingKey) a;
      ReadingKey y = (ReadingKey) b;
      int c = x.sensorId.compareTo(y.sensorId);
      if (c == 0) {
        c = Long.compare(x.periodStart, y.periodStart);
      }
      return c != 0 || !withTimestamp ? c : Long.compare(x.timestamp, y.timestamp);
    }
  }

  /** The sort order: sensor, period, timestamp. */
  public static final class SortComparator extends RawComparator {
    public SortComparator() {
      super(true);
    }
  }

  /** The reduce grouping: sensor and period. */
  public static final class GroupingComparator extends RawComparator {
    public GroupingComparator() {
      super(false);
    }
  }

  /** Partitions by sensor and period, so a sensor-period's readings meet in one reducer. */
  public static final class SensorPeriodPartitioner<V> extends Partitioner<ReadingKey, V> {
    @Override
    public int getPartition(ReadingKey key, V value, int partitions) {
      return ((key.sensorId.hashCode() * 31 + Long.hashCode(key.periodStart)) & Integer.MAX_VALUE) % partitions;
    }
  }
}
