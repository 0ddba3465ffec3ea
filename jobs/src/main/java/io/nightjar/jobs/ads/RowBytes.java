package io.nightjar.jobs.ads;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array that {@link RowCodec}s encode rows into and {@link SaltedJoinStrategy} collects batches of
 * rows in, without locks: Hadoop's {@code DataOutputBuffer} writes through the JDK's {@code DataOutputStream} and
 * {@code ByteArrayOutputStream}, which lock on every write, and those writes were a third of a sharded join's map task
 * samples (JFR; {@code ByteArrayOutputStream.write(int)} 13.3% and {@code DataOutputStream.writeByte} 11.7% self).
 * Integers are written as Hadoop's {@code WritableUtils.writeVInt} writes them, longs big-endian as
 * {@code DataOutput.writeLong}, so Hadoop's readers read them back. One per task (not thread-safe).
 */
public final class RowBytes {
  private byte[] data;
  private int length;

  public RowBytes(int capacity) {
    data = new byte[Math.max(16, capacity)];
  }

  /** The bytes written so far are {@code data()[0, length())}. */
  byte[] data() {
    return data;
  }

  int length() {
    return length;
  }

  void reset() {
    length = 0;
  }

  /** A copy of the bytes written. */
  byte[] toByteArray() {
    return Arrays.copyOf(data, length);
  }

  /** The bytes written, handed over without a copy; this continues empty in a new array of {@code capacity}. */
  ByteBuffer detach(int capacity) {
    ByteBuffer bytes = ByteBuffer.wrap(data, 0, length);
    data = new byte[Math.max(16, capacity)];
    length = 0;
    return bytes;
  }

  public void writeByte(int b) {
    ensure(1);
    data[length++] = (byte) b;
  }

  public void write(byte[] bytes, int offset, int count) {
    ensure(count);
    System.arraycopy(bytes, offset, data, length, count);
    length += count;
  }

  /** Big-endian, as {@code DataOutput.writeLong}. */
  public void writeLong(long value) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      data[length++] = (byte) (value >>> shift);
    }
  }

  /** Hadoop's zero-compressed form ({@code WritableUtils.writeVInt}): one byte for -112 to 127. */
  public void writeVInt(int value) {
    ensure(5);
    if (value >= -112 && value <= 127) {
      data[length++] = (byte) value;
      return;
    }
    long magnitude = value;
    int marker = -112;
    if (magnitude < 0) {
      magnitude ^= -1L;
      marker = -120;
    }
    int bytes = 0;
    for (long rest = magnitude; rest != 0; rest >>= 8) {
      bytes++;
    }
    data[length++] = (byte) (marker - bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      data[length++] = (byte) (magnitude >> (i * 8));
    }
  }

  /** A vint byte length, then the string's UTF-8 bytes. */
  public void writeString(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    writeVInt(bytes.length);
    write(bytes, 0, bytes.length);
  }

  private void ensure(int more) {
    long needed = (long) length + more;
    if (needed > data.length) {
      long grown = Math.max(needed, 2L * data.length);
      if (needed > Integer.MAX_VALUE - 8) {
        throw new OutOfMemoryError("a row or batch of " + needed + " bytes");
      }
      data = Arrays.copyOf(data, (int) Math.min(grown, Integer.MAX_VALUE - 8));
    }
  }
}
