package org.apache.avro.file;

import java.io.IOException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.DatumReader;

/**
 * Avro's file reader with each block's header checked against the file before Avro reads the block: the record count
 * must not be negative, and the block's bytes and the sync marker after them must fit in what is left of the file; a
 * block of no records, or one whose decompression ends early, before the end of the file is damage too (Avro's reader
 * would take it for the end).
 * Avro 1.8.2 allocates a block's claimed size before reading it ({@code DataFileStream.nextRawBlock}; CVE-2023-39410),
 * and takes a file that ends inside a block header for a normal end ({@code hasNextBlock} returns false on an
 * {@code EOFException}), silently losing what followed. Here both fail the read with an {@link AvroRuntimeException}
 * whose message names the file, the byte and the claim.
 *
 * <p>Use it to read files nobody has checked block by block, in the task that reads them anyway: it costs two
 * comparisons a block, where walking every block header beforehand reads the whole file on HDFS (a forward seek of
 * less than 128 kB within a block is read through, {@code DFSInputStream.seek}). The header is not checked here
 * ({@code AvroInputCheck} does that before a job starts, a read or two a file).
 *
 * <p>In Avro's package only to override {@code DataFileStream.hasNextBlock}, which is package-private; the job jar
 * relocates it with Avro.
 */
public class CheckedDataFileReader<D> extends DataFileReader<D> {
  private static final int SYNC_SIZE = 16;

  private final String name;
  private final long length;
  private long blockAt = -1;

  /** Reads {@code in}, named {@code name} in errors (a path). */
  public CheckedDataFileReader(SeekableInput in, DatumReader<D> reader, String name) throws IOException {
    super(in, reader);
    // A package-private method is overridden only within one runtime package (one class loader): otherwise the
    // checks below would silently not run.
    if (CheckedDataFileReader.class.getClassLoader() != DataFileStream.class.getClassLoader()) {
      throw new IllegalStateException(getClass().getName() + " and " + DataFileStream.class.getName()
          + " have different class loaders, so its block checks would not run");
    }
    this.name = name;
    this.length = in.length();
  }

  @Override
  public boolean hasNext() {
    try {
      boolean next = super.hasNext();
      // Avro ends the file early at a block of no records and at an EOFException while decompressing (xz, bzip2).
      if (!next && position() < length) {
        throw damaged("block at byte " + blockAt + " holds no records or does not decompress; "
            + (length - position()) + " bytes after it");
      }
      return next;
    } catch (Damaged e) {
      throw e;
    } catch (AvroRuntimeException e) {
      // Avro's IOException, wrapped: an I/O error, a block that does not decompress, or a wrong sync marker.
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if ("Invalid sync!".equals(cause.getMessage())) {
        throw damaged("block at byte " + blockAt + " is not followed by the file's sync marker");
      }
      throw new AvroRuntimeException(name + ": reading the block at byte " + blockAt + ": " + cause, e);
    }
  }

  @Override
  boolean hasNextBlock() {
    long at = position();
    boolean next;
    try {
      next = super.hasNextBlock();
    } catch (AvroRuntimeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String message = String.valueOf(cause.getMessage());
      if (message.startsWith("Block size invalid") || message.startsWith("Invalid long encoding")) {
        throw damaged("block at byte " + at + ": " + message); // a size past 2 GB or negative, an overlong varint
      }
      throw new AvroRuntimeException(name + ": reading the block header at byte " + at + ": " + cause, e);
    }
    if (!next) {
      if (at < length) {
        throw damaged("the file ends inside the block header at byte " + at + " (" + length + " bytes; truncated)");
      }
      return false;
    }
    long after = position();
    if (after == at) {
      return true; // a header read by an earlier call (Avro's availableBlock), checked then
    }
    blockAt = at;
    long room = length - after - SYNC_SIZE;
    if (getBlockCount() < 0) {
      throw damaged("block at byte " + at + " claims " + getBlockCount() + " records");
    }
    if (room < 0) {
      throw damaged("block at byte " + at + " leaves no room for its sync marker (" + (length - after)
          + " bytes after its header; truncated)");
    }
    if (getBlockSize() > room) {
      throw damaged("block at byte " + at + " claims " + getBlockSize() + " bytes, " + room
          + " left before its sync marker");
    }
    return true;
  }

  /** Where the decoder is in the file: the stream's position less what the decoder holds unread. */
  private long position() {
    try {
      return tell() - vin.inputStream().available();
    } catch (IOException e) {
      throw new AvroRuntimeException(e);
    }
  }

  private Damaged damaged(String reason) {
    return new Damaged(name + ": damaged Avro data file: " + reason);
  }

  /** A block that is not what its header or the file's layout says. */
  static final class Damaged extends AvroRuntimeException {
    Damaged(String message) {
      super(message);
    }
  }
}
