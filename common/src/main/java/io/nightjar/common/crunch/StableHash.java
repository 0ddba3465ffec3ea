package io.nightjar.common.crunch;

/**
 * A hash of a string that is the same in every JVM, run and task attempt (String.hashCode, spread by MurmurHash3's
 * finalizer so its low bits are usable modulo small numbers). Use it to assign records to chunks or shards
 * deterministically.
 */
public final class StableHash {

  private StableHash() {
  }

  /** A non-negative hash of {@code value}. */
  public static int of(String value) {
    return mix(value.hashCode()) & Integer.MAX_VALUE;
  }

  /** MurmurHash3's 32-bit finalizer. */
  public static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
