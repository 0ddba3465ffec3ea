package io.nightjar.common.avro;

import io.nightjar.common.tool.JobFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks a job's Avro input files before any task starts, without handing them to Avro's reader: each file's header
 * is parsed here, the file must end with the header's sync marker, the writer schema must not name Java classes, and
 * it must be readable as the schema the job expects.
 *
 * <ul>
 *   <li>Layout (CVE-2023-39410): Avro up to 1.11.2 allocates the lengths and counts it reads before using them, from
 *   the header's metadata on ({@code DataFileStream.initialize} in our Avro 1.8.2) to a block's size (up to 2 GB as
 *   one array), so a damaged or hostile file could exhaust a task's memory. Here every header length and count must
 *   fit in the file (the header within 16 MB and 10,000 entries). The blocks are checked by the task that reads them
 *   ({@link org.apache.avro.file.CheckedDataFileReader}, which {@link AvroBlocks} reads with): each block's count and
 *   size must fit in the file before Avro reads it, and be followed by the sync marker.
 *   <li>Truncation: a file cut short does not end with its sync marker (unless cut exactly after a block). Avro's
 *   reader would take it for a normal end of file and silently lose its last records.
 *   <li>Classes (CVE-2024-47561): the schema properties {@code java-class}, {@code java-key-class} and
 *   {@code java-element-class} make Avro's readers load and instantiate the named classes; a writer schema that
 *   carries one anywhere is refused.
 * </ul>
 *
 * <p>{@link #requireReadableEveryBlock} also walks every block header from the header to the end of the file (by the
 * blocks' sizes, seeking over the data), for files that a reader without those checks will read (avro-mapred's
 * {@code AvroKeyInputFormat}). On HDFS that walk reads the whole file through the client: a forward seek of less than
 * 128 kB within a block is read through ({@code DFSInputStream.seek}, {@code BlockReaderRemote.available}), and Avro's
 * blocks are 64 kB by default. {@link #countRecords} and {@link #contents} walk the blocks too.
 *
 * <p>Not checked: the uncompressed length a snappy block claims, and the records inside a block (Avro still allocates
 * them as read); damage there fails the MapReduce task instead, and the day is not published either way.
 *
 * <p>Cost: {@link #requireReadable} reads each file's header and last 16 bytes. The walk: one 64-byte read per block;
 * a 1 GB file of 16,842 blocks took 0.74 s (median of 3) on the local file system, the file in the page cache.
 */
public final class AvroInputCheck {

  private static final byte[] MAGIC = {'O', 'b', 'j', 1};
  private static final int SYNC_SIZE = 16;
  private static final int MAX_METADATA_ENTRIES = 10_000;
  private static final int MAX_HEADER_BYTES = 16 << 20;
  private static final Set<String> CODECS = Set.of("null", "deflate", "snappy", "bzip2", "xz");
  private static final List<String> CLASS_PROPERTIES = List.of("java-class", "java-key-class", "java-element-class");

  private AvroInputCheck() {
  }

  /** {@link #requireReadable(FileSystem, List, Schema)} on the inputs' own file system. */
  public static void requireReadable(Configuration conf, Schema expected, List<Path> inputs)
      throws IOException {
    if (!inputs.isEmpty()) {
      requireReadable(inputs.get(0).getFileSystem(conf), inputs, expected);
    }
  }

  /**
   * Checks every {@code .avro} file matched by {@code inputs} (files, folders or globs): header, end and schema, for
   * files read with {@link org.apache.avro.file.CheckedDataFileReader}; throws {@link JobFailedException} listing
   * every damaged file with its reason.
   */
  public static void requireReadable(FileSystem fs, List<Path> inputs, Schema expected) throws IOException {
    require(fs, inputs, expected, false);
  }

  /**
   * {@link #requireReadable(Configuration, Schema, List)}, and every block header walked: for files read by a reader
   * that does not check blocks. Reads the whole file on HDFS (see the class comment).
   */
  public static void requireReadableEveryBlock(Configuration conf, Schema expected, List<Path> inputs)
      throws IOException {
    if (!inputs.isEmpty()) {
      require(inputs.get(0).getFileSystem(conf), inputs, expected, true);
    }
  }

  /** What is wrong with the layout of the Avro data file {@code file}, every block walked; null if nothing. */
  public static String damage(FileSystem fs, FileStatus file) throws IOException {
    try (FSDataInputStream in = fs.open(file.getPath())) {
      Layout.read(in, file.getLen(), true);
      return null;
    } catch (Damage e) {
      return e.getMessage();
    }
  }

  private static void require(FileSystem fs, List<Path> inputs, Schema expected, boolean everyBlock)
      throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path input : inputs) {
      for (FileStatus file : AvroFiles.matching(fs, input)) {
        String problem = check(fs, file, expected, everyBlock);
        if (problem != null) {
          problems.add(file.getPath() + ": " + problem);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new JobFailedException(problems.size() + " damaged Avro input file(s), nothing read: "
          + String.join("; ", problems));
    }
  }

  /**
   * How many records the {@code .avro} files directly in {@code dir} hold, summed from their block headers (no record
   * is decoded: a few reads per block), after the same layout and schema-property checks as
   * {@link #requireReadable}; throws {@link JobFailedException} naming a damaged file. Safe to call before opening the
   * files with an Avro reader whose schema comes from the file.
   */
  public static long countRecords(FileSystem fs, Path dir) throws IOException {
    long records = 0;
    for (FileStatus file : AvroFiles.avroFileStatuses(fs, dir)) {
      Layout layout;
      try (FSDataInputStream in = fs.open(file.getPath())) {
        layout = Layout.read(in, file.getLen(), true);
      } catch (Damage e) {
        throw new JobFailedException(file.getPath() + ": " + e.getMessage());
      }
      String classProperty = classProperty(new Schema.Parser().setValidate(false).parse(layout.schema), null,
          new HashSet<>());
      if (classProperty != null) {
        throw new JobFailedException(file.getPath() + ": writer schema declares " + classProperty + "; refused");
      }
      records += layout.records;
    }
    return records;
  }

  /** What one {@code .avro} file holds: its records and its writer schema (JSON). */
  public record FileContents(long records, String schema) {
  }

  /**
   * The records and writer schema of one {@code .avro} file, from its header and block headers (no record decoded);
   * throws {@link JobFailedException} naming a damaged file.
   */
  public static FileContents contents(FileSystem fs, FileStatus file) throws IOException {
    try (FSDataInputStream in = fs.open(file.getPath())) {
      Layout layout = Layout.read(in, file.getLen(), true);
      return new FileContents(layout.records, layout.schema);
    } catch (Damage e) {
      throw new JobFailedException(file.getPath() + ": " + e.getMessage());
    }
  }

  /**
   * The reason the file cannot be read completely as {@code expected}, or null; {@code everyBlock} walks the blocks
   * too.
   */
  static String check(FileSystem fs, FileStatus file, Schema expected, boolean everyBlock) throws IOException {
    Layout layout;
    try (FSDataInputStream in = fs.open(file.getPath())) {
      layout = Layout.read(in, file.getLen(), everyBlock);
    } catch (Damage e) {
      return e.getMessage();
    }
    Schema writer;
    try {
      // Avro's reader does not validate names either.
      writer = new Schema.Parser().setValidate(false).parse(layout.schema);
    } catch (RuntimeException | StackOverflowError e) {
      return "unreadable writer schema (" + e + ")";
    }
    String classProperty = classProperty(writer, null, new HashSet<>());
    if (classProperty != null) {
      return "writer schema declares " + classProperty + " (Avro would load that class; refused)";
    }
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(expected, writer);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      List<String> missing = new ArrayList<>();
      for (Schema.Field field : expected.getFields()) {
        if (field.defaultVal() == null && (writer.getType() != Schema.Type.RECORD || writer.getField(field.name()) == null)) {
          missing.add(field.name());
        }
      }
      return "written as " + writer.getFullName() + ", which cannot be read as " + expected.getFullName()
          + (missing.isEmpty() ? " (incompatible field types)" : " (no " + String.join(", ", missing) + ")");
    }
    return null;
  }

  /** The first class-naming property in {@code schema}, as "java-class at field a.b", or null. */
  private static String classProperty(Schema schema, String where, Set<String> recordsSeen) {
    for (String property : CLASS_PROPERTIES) {
      if (schema.getObjectProp(property) != null) {
        return property + (where == null ? " on " + schema.getFullName() : " at field " + where);
      }
    }
    switch (schema.getType()) {
      case RECORD:
        if (!recordsSeen.add(schema.getFullName())) {
          return null;
        }
        for (Schema.Field field : schema.getFields()) {
          String at = where == null ? field.name() : where + "." + field.name();
          for (String property : CLASS_PROPERTIES) {
            if (field.getObjectProp(property) != null) {
              return property + " at field " + at;
            }
          }
          String found = classProperty(field.schema(), at, recordsSeen);
          if (found != null) {
            return found;
          }
        }
        return null;
      case ARRAY:
        return classProperty(schema.getElementType(), where == null ? "[]" : where + "[]", recordsSeen);
      case MAP:
        return classProperty(schema.getValueType(), where == null ? "{}" : where + "{}", recordsSeen);
      case UNION:
        for (Schema branch : schema.getTypes()) {
          String found = classProperty(branch, where, recordsSeen);
          if (found != null) {
            return found;
          }
        }
        return null;
      default:
        return null;
    }
  }

  /** A file's layout as parsed here: its writer schema (JSON), sync marker, and blocks and records when walked. */
  static final class Layout {
    final String schema;
    final byte[] sync;
    final long blocks;
    final long records;

    private Layout(String schema, byte[] sync, long[] blocksAndRecords) {
      this.schema = schema;
      this.sync = sync;
      this.blocks = blocksAndRecords[0];
      this.records = blocksAndRecords[1];
    }

    /**
     * Parses the header of a file of {@code length} bytes and, with {@code walk}, walks its blocks (else checks that
     * it ends with its sync marker; blocks and records are then -1); {@link Damage} says what is wrong.
     */
    static Layout read(FSDataInputStream in, long length, boolean walk) throws IOException, Damage {
      Cursor file = new Cursor(in, length);
      if (length < MAGIC.length || !Arrays.equals(file.read(MAGIC.length), MAGIC)) {
        throw new Damage("not an Avro data file (" + length + " bytes: it does not start with Obj1)");
      }
      String schema;
      byte[] sync;
      try {
        schema = readMetadata(file);
        sync = file.read(SYNC_SIZE);
      } catch (Damage e) {
        throw new Damage("damaged header: " + e.getMessage());
      }
      if (!walk) {
        if (file.left() > 0 && !endsWith(in, length, sync)) {
          throw new Damage("truncated: it does not end with its sync marker (" + length + " bytes)");
        }
        return new Layout(schema, sync, new long[] {-1, -1});
      }
      try {
        return new Layout(schema, sync, walkBlocks(file, sync));
      } catch (Damage e) {
        if (!endsWith(in, length, sync)) {
          throw new Damage("truncated: it does not end with its sync marker (" + length + " bytes; "
              + e.getMessage() + ")");
        }
        throw e;
      }
    }

    private static boolean endsWith(FSDataInputStream in, long length, byte[] sync) throws IOException {
      byte[] tail = new byte[SYNC_SIZE];
      in.readFully(length - SYNC_SIZE, tail);
      return Arrays.equals(tail, sync);
    }

    /** Reads the metadata map up to the sync marker; returns the schema, after checking the codec. */
    private static String readMetadata(Cursor file) throws IOException, Damage {
      String schema = null;
      String codec = null;
      long entries = 0;
      for (long count = file.readCount("metadata count"); count != 0; count = file.readCount("metadata count")) {
        entries += Math.min(count, MAX_METADATA_ENTRIES + 1);
        if (entries > MAX_METADATA_ENTRIES) {
          throw new Damage("more than " + MAX_METADATA_ENTRIES + " metadata entries at byte " + file.pos);
        }
        for (long i = 0; i < count; i++) {
          String key = new String(file.read(file.readLength("metadata key")), StandardCharsets.UTF_8);
          int valueLength = file.readLength("metadata value " + key);
          if (key.equals("avro.schema") || key.equals("avro.codec")) {
            String value = new String(file.read(valueLength), StandardCharsets.UTF_8);
            schema = key.equals("avro.schema") ? value : schema;
            codec = key.equals("avro.codec") ? value : codec;
          } else {
            file.skip(valueLength);
          }
        }
      }
      if (schema == null) {
        throw new Damage("no avro.schema");
      }
      if (codec != null && !CODECS.contains(codec)) {
        throw new Damage("unknown codec " + codec);
      }
      return schema;
    }

    /** Walks the blocks from the header to the end of the file by their sizes; returns {blocks, records}. */
    private static long[] walkBlocks(Cursor file, byte[] sync) throws IOException, Damage {
      long blocks = 0;
      long total = 0;
      while (file.left() > 0) {
        long start = file.pos;
        long records = file.readLong("block record count");
        long size = file.readLong("block size");
        long room = Math.max(0, file.left() - SYNC_SIZE);
        if (records < 0) {
          throw new Damage("block at byte " + start + " claims " + records + " records");
        }
        if (records == 0) { // Avro's writers write none; Avro's reader would stop the file there
          throw new Damage("block at byte " + start + " holds no records");
        }
        if (size < 0 || size > room) {
          throw new Damage("block at byte " + start + " claims " + size + " bytes, " + room + " left");
        }
        file.skip(size);
        if (!Arrays.equals(file.read(SYNC_SIZE), sync)) {
          throw new Damage("block at byte " + start + " is not followed by the file's sync marker (at byte "
              + (file.pos - SYNC_SIZE) + ")");
        }
        blocks++;
        total += records;
      }
      return new long[] {blocks, total};
    }
  }

  /** A position in a file, read by positional reads through a small window: one read per block. */
  private static final class Cursor {
    private final FSDataInputStream in;
    private final long length;
    private final byte[] window = new byte[64];
    private long windowStart;
    private int windowLength;
    long pos;

    Cursor(FSDataInputStream in, long length) {
      this.in = in;
      this.length = length;
    }

    long left() {
      return length - pos;
    }

    void skip(long bytes) {
      pos += bytes;
    }

    /** The next {@code n} bytes; {@code n} must have been checked against {@link #left()} if it comes from the file. */
    byte[] read(int n) throws IOException, Damage {
      if (n > left()) {
        throw new Damage("the file ends inside the " + n + " bytes at byte " + pos);
      }
      byte[] bytes = new byte[n];
      if (n <= window.length) {
        fill(n);
        System.arraycopy(window, (int) (pos - windowStart), bytes, 0, n);
      } else {
        in.seek(pos);
        in.readFully(bytes);
      }
      pos += n;
      return bytes;
    }

    /** Avro's zig-zag varint long: at most 10 bytes. */
    long readLong(String what) throws IOException, Damage {
      long start = pos;
      fill(10);
      long raw = 0;
      for (int shift = 0; shift < 70; shift += 7) {
        if (pos >= windowStart + windowLength) {
          throw new Damage("the file ends inside the " + what + " at byte " + start);
        }
        int b = window[(int) (pos++ - windowStart)] & 0xff;
        raw |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return (raw >>> 1) ^ -(raw & 1);
        }
      }
      throw new Damage(what + " at byte " + start + " is longer than 10 bytes");
    }

    /** An Avro map block's entry count: a negative count is followed by the block's byte size. */
    long readCount(String what) throws IOException, Damage {
      long start = pos;
      long count = readLong(what);
      if (count < 0) {
        count = -count;
        long size = readLong(what + " byte size");
        if (count < 0 || size < 0 || size > left()) {
          throw new Damage(what + " at byte " + start + " is invalid (" + count + " entries, " + size + " bytes)");
        }
      }
      return count;
    }

    /** A header string's or bytes' length: within the bytes left and the header's size limit. */
    int readLength(String what) throws IOException, Damage {
      long start = pos;
      long length = readLong(what + " length");
      if (length < 0 || length > left()) {
        throw new Damage(what + " at byte " + start + " claims " + length + " bytes, " + left() + " left");
      }
      if (pos + length > MAX_HEADER_BYTES) {
        throw new Damage(what + " at byte " + start + " claims " + length + " bytes, past the header's limit of "
            + MAX_HEADER_BYTES + " bytes");
      }
      return (int) length;
    }

    /** Makes the window hold the next {@code n} bytes, or all that are left. */
    private void fill(int n) throws IOException {
      if (pos < windowStart || pos + Math.min(n, left()) > windowStart + windowLength) {
        windowStart = pos;
        windowLength = (int) Math.min(window.length, left());
        // A seek and a read, not a positional read: on the local file system (a ChecksumFileSystem) every
        // positional read opens the file and its checksum file anew; this check was 1.5 s of 221 MB that way.
        in.seek(pos);
        in.readFully(window, 0, windowLength);
      }
    }
  }

  /** What is wrong with a file, as the reason to report. */
  static final class Damage extends Exception {
    Damage(String reason) {
      super(reason, null, false, false);
    }
  }
}
