package io.nightjar.testkit.local;

import java.io.DataOutput;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSExceptionMessages;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem.Statistics;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.IOUtils;
import org.apache.hadoop.util.DataChecksum;

/**
 * Hadoop's local file system ({@code file://}, checksummed) with permissions, owners and groups read and set through
 * {@code java.nio} instead of a child process, and checksummed files read in large verified buffers. Without Hadoop's
 * native library ({@code libhadoop.so}: not in Hadoop's Maven artifacts, so absent when nightjar runs from them: the
 * embedded runs, the tests, the benchmarks) Hadoop 3.3's {@code RawLocalFileSystem.setPermission} runs {@code chmod}
 * and its file status runs {@code ls -ld} the first time a
 * permission, owner or group is asked for: one local {@code sensor-averages} run started 110 processes (78
 * {@code chmod}, 19 {@code ls}; strace), about 5 ms each, most of them while the job is submitted. The demo, the
 * tests and the benchmarks make this the {@code file://} implementation ({@value #IMPL_KEY}) with {@link LocalSpeed};
 * the job jar does not ship it. Not on a cluster: a task there resolves {@code file://} before the job's class loader is set up
 * ({@code YarnChild.configureTask} with {@code mapreduce.job.classloader}), and a cluster's nodes normally have the
 * native library. Hadoop caches file systems per scheme and user, not per configuration: a JVM that opened
 * {@code file://} before the tool set the key keeps Hadoop's.
 *
 * <p>Files are read with their checksums verified a buffer at a time ({@link #open}): Hadoop's
 * {@code ChecksumFSInputChecker} reads and verifies 512-byte chunks through several stream layers, and compiling
 * that path kept the JIT's one C2 thread busy for 1.7 s of a 5.5 s local {@code sensor-averages} run while the map
 * tasks' decoding waited for it in slower tiers (JFR compilation events; the map phase went from 3.6 to 2.1 s). The
 * same bytes and the same {@code .crc} files; a mismatch is a {@code ChecksumException}, but the file is not moved
 * into a {@code bad_files} folder as Hadoop's local file system does.
 *
 * <p>Same answers as Hadoop's: the permission bits (sticky bit included) from the {@code unix:mode} attribute, owner
 * and group names as {@code ls} prints them, read when first asked for, as Hadoop's status does; setting a folder's
 * permission keeps its setuid and setgid bits, as {@code chmod} with four octal digits does. Where the JDK has no
 * {@code unix} attribute view (not Linux or macOS), Hadoop's own code runs.
 */
public class NioLocalFileSystem extends LocalFileSystem {

  /** The configuration key naming the class of the {@code file://} file system. */
  public static final String IMPL_KEY = "fs.file.impl";

  private static final byte[] CHECKSUM_HEADER = {'c', 'r', 'c', 0};
  /** A {@code .crc} file's header: {@link #CHECKSUM_HEADER}, then the bytes per checksum as an int. */
  private static final int HEADER_BYTES = CHECKSUM_HEADER.length + 4;

  /** Bytes read, verified and buffered at a time (rounded down to whole checksum chunks). */
  static final int VERIFIED_BUFFER_BYTES = 64 * 1024;

  private boolean verifyChecksum = true;

  public NioLocalFileSystem() {
    super(new Raw());
  }

  @Override
  public void setVerifyChecksum(boolean verifyChecksum) {
    super.setVerifyChecksum(verifyChecksum);
    this.verifyChecksum = verifyChecksum;
  }

  /**
   * Opens {@code f}, verifying its checksums a buffer at a time (up to {@value #VERIFIED_BUFFER_BYTES} bytes: Hadoop's
   * {@code DataChecksum.verifyChunkedSums} over the buffer's chunks of the {@code .crc} file). Hadoop's own stream
   * where checksums are off, the file has no {@code .crc}, its {@code .crc} cannot be read or is not one (Hadoop
   * reads those unverified, with a warning), or its chunks are larger than the buffer.
   */
  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    if (!verifyChecksum) {
      return super.open(f, bufferSize);
    }
    Raw raw = (Raw) getRaw();
    RandomAccessFile sums = null;
    int bytesPerSum = -1;
    try {
      sums = new RandomAccessFile(raw.pathToFile(getChecksumFile(f)), "r");
      byte[] header = new byte[HEADER_BYTES];
      sums.readFully(header);
      if (Arrays.equals(header, 0, CHECKSUM_HEADER.length, CHECKSUM_HEADER, 0, CHECKSUM_HEADER.length)) {
        bytesPerSum = ByteBuffer.wrap(header, CHECKSUM_HEADER.length, 4).getInt();
      }
    } catch (IOException e) {
      // no checksum file, or not a readable one (bytesPerSum stays -1): Hadoop's stream handles it
    }
    if (bytesPerSum <= 0 || bytesPerSum > VERIFIED_BUFFER_BYTES) {
      IOUtils.closeStream(sums);
      return super.open(f, bufferSize);
    }
    RandomAccessFile data = null;
    boolean opened = false;
    try {
      long length = raw.getFileStatus(f).getLen(); // a missing file is not found as with Hadoop's stream
      data = new RandomAccessFile(raw.pathToFile(f), "r");
      VerifiedInput verified = new VerifiedInput(f, length, data, sums, bytesPerSum, raw.statistics());
      verified.count(HEADER_BYTES);
      FSDataInputStream in = new FSDataInputStream(verified);
      opened = true;
      return in;
    } finally {
      if (!opened) {
        IOUtils.closeStream(data);
        IOUtils.closeStream(sums);
      }
    }
  }

  /** The file system under the checksums. */
  public static class Raw extends RawLocalFileSystem {

    /** Where Hadoop's raw streams count the bytes they read ({@code LocalFileSystem} has none of its own). */
    Statistics statistics() {
      return statistics;
    }

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      java.nio.file.Path file = pathToFile(p).toPath();
      try {
        int mode = permission.toShort() & 01777;
        if (Files.isDirectory(file)) {
          mode |= (Integer) Files.getAttribute(file, "unix:mode") & 06000;
        }
        Files.setAttribute(file, "unix:mode", mode);
      } catch (NoSuchFileException e) {
        throw new FileNotFoundException("File " + p + " does not exist");
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        super.setPermission(p, permission);
      }
    }

    @Override
    public FileStatus getFileStatus(Path p) throws IOException {
      return new Status(super.getFileStatus(p), pathToFile(p).getPath());
    }

    @Override
    public FileStatus[] listStatus(Path p) throws IOException {
      FileStatus[] statuses = super.listStatus(p); // a folder's entries come through getFileStatus already
      for (int i = 0; i < statuses.length; i++) {
        if (!(statuses[i] instanceof Status)) {
          statuses[i] = new Status(statuses[i], pathToFile(statuses[i].getPath()).getPath());
        }
      }
      return statuses;
    }
  }

  /**
   * A local file read a buffer at a time, each buffer verified against its checksums before any of it is
   * returned; a mismatch throws {@link ChecksumException} naming the chunk (Hadoop's stream would also move the file
   * aside into a {@code bad_files} folder; this one leaves it). The length is the file's when it was opened, as
   * Hadoop's stream takes it for seeks; local files nightjar reads do not change once written.
   */
  private static final class VerifiedInput extends FSInputStream {
    private final Path file;
    private final long length;
    private final RandomAccessFile data;
    private final RandomAccessFile sums;
    private final int bytesPerSum;
    private final Statistics statistics;
    private long dataPos;
    private long sumsPos = HEADER_BYTES;
    private final DataChecksum checksum;
    private final byte[] buffer;
    private final byte[] sumBuffer;
    private long bufferStart;
    private int bufferLength;
    private long pos;
    private boolean closed;

    VerifiedInput(Path file, long length, RandomAccessFile data, RandomAccessFile sums, int bytesPerSum,
        Statistics statistics) {
      this.file = file;
      this.statistics = statistics;
      this.length = length;
      this.data = data;
      this.sums = sums;
      this.bytesPerSum = bytesPerSum;
      this.checksum = DataChecksum.newDataChecksum(DataChecksum.Type.CRC32, bytesPerSum);
      long fileChunks = (length + bytesPerSum - 1) / bytesPerSum;
      int chunks = (int) Math.max(1, Math.min(VERIFIED_BUFFER_BYTES / bytesPerSum, fileChunks));
      this.buffer = new byte[chunks * bytesPerSum];
      this.sumBuffer = new byte[chunks * 4];
    }

    @Override
    public synchronized int read() throws IOException {
      checkOpen();
      if (pos >= length) {
        return -1;
      }
      fill();
      return buffer[(int) (pos++ - bufferStart)] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
      checkOpen();
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (pos >= length) {
        return -1;
      }
      int read = 0;
      while (read < len && pos < length) {
        try {
          fill();
        } catch (IOException e) {
          if (read > 0) {
            return read; // the bytes read so far; the next read meets the error
          }
          throw e;
        }
        int n = (int) Math.min(len - read, bufferStart + bufferLength - pos);
        System.arraycopy(buffer, (int) (pos - bufferStart), b, off + read, n);
        pos += n;
        read += n;
      }
      return read;
    }

    /**
     * Makes the buffer hold {@code pos}: reads the chunks from the one {@code pos} is in and verifies them. Read with
     * {@code RandomAccessFile}, which an interrupt does not close as it closes a {@code FileChannel}, and in order (a
     * seek only after a seek of this stream); bytes read are counted in the file system's statistics, as Hadoop's raw
     * stream counts them.
     */
    private void fill() throws IOException {
      if (pos >= bufferStart && pos < bufferStart + bufferLength) {
        return;
      }
      bufferLength = 0; // nothing in the buffer counts until it is verified
      long start = pos / bytesPerSum * bytesPerSum;
      int wanted = (int) Math.min(buffer.length, length - start);
      if (dataPos != start) {
        data.seek(start);
      }
      dataPos = -1; // unknown until the read returns
      int read = readUpTo(data, buffer, wanted);
      dataPos = start + read;
      count(read);
      if (read < wanted) {
        throw new EOFException(file + " ended at " + (start + read) + ", before its length when opened, " + length);
      }
      long sumsStart = HEADER_BYTES + start / bytesPerSum * 4;
      if (sumsPos != sumsStart) {
        sums.seek(sumsStart);
      }
      sumsPos = -1;
      int chunks = (wanted + bytesPerSum - 1) / bytesPerSum;
      int sumBytes = readUpTo(sums, sumBuffer, chunks * 4);
      sumsPos = sumsStart + sumBytes;
      count(sumBytes);
      int sumsRead = sumBytes / 4;
      if (sumsRead == 0) {
        throw new ChecksumException("Checksum file too short for " + file + " at " + start, start);
      }
      int verified = Math.min(wanted, sumsRead * bytesPerSum);
      checksum.verifyChunkedSums(ByteBuffer.wrap(buffer, 0, verified), ByteBuffer.wrap(sumBuffer, 0, sumsRead * 4),
          file.toString(), start);
      bufferStart = start;
      bufferLength = verified;
    }

    private static int readUpTo(RandomAccessFile in, byte[] into, int length) throws IOException {
      int read = 0;
      for (int n; read < length && (n = in.read(into, read, length - read)) > 0; ) {
        read += n;
      }
      return read;
    }

    private void count(int bytes) {
      if (statistics != null) {
        statistics.incrementBytesRead(bytes);
      }
    }

    private void checkOpen() throws IOException {
      if (closed) {
        throw new IOException(FSExceptionMessages.STREAM_IS_CLOSED + " " + file);
      }
    }

    @Override
    public synchronized void seek(long target) throws IOException {
      checkOpen();
      if (target < 0) {
        throw new EOFException("Cannot seek to a negative offset: " + target);
      }
      if (target > length) {
        throw new EOFException("Cannot seek after EOF");
      }
      pos = target;
    }

    @Override
    public synchronized long getPos() {
      return pos;
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
      return false;
    }

    @Override
    public synchronized long skip(long n) throws IOException {
      checkOpen();
      long skipped = Math.max(0, Math.min(n, length - pos));
      pos += skipped;
      return skipped;
    }

    @Override
    public synchronized int available() throws IOException {
      checkOpen();
      return (int) Math.min(Integer.MAX_VALUE, length - pos);
    }

    @Override
    public synchronized void close() throws IOException {
      closed = true;
      try {
        sums.close();
      } finally {
        data.close();
      }
    }
  }

  /** A status whose permission, owner and group are read from the file when first asked for. */
  private static final class Status extends FileStatus {
    private static final long serialVersionUID = 1L;
    private final transient FileStatus hadoops;
    private final String file;
    private boolean loaded;

    Status(FileStatus hadoops, String file) {
      super(hadoops.getLen(), hadoops.isDirectory(), hadoops.getReplication(), hadoops.getBlockSize(),
          hadoops.getModificationTime(), hadoops.getAccessTime(), null, null, null, hadoops.getPath());
      this.hadoops = hadoops;
      this.file = file;
    }

    @Override
    public FsPermission getPermission() {
      load();
      return super.getPermission();
    }

    @Override
    public String getOwner() {
      load();
      return super.getOwner();
    }

    @Override
    public String getGroup() {
      load();
      return super.getGroup();
    }

    @Override
    public void write(DataOutput out) throws IOException {
      load();
      super.write(out);
    }

    private synchronized void load() {
      if (loaded) {
        return;
      }
      try {
        Map<String, Object> attributes = Files.readAttributes(Paths.get(file), "unix:mode,owner,group");
        setPermission(new FsPermission((short) ((Integer) attributes.get("mode") & 01777)));
        setOwner(attributes.get("owner").toString());
        setGroup(attributes.get("group").toString());
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        setPermission(hadoops.getPermission());
        setOwner(hadoops.getOwner());
        setGroup(hadoops.getGroup());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the permissions of " + file, e);
      }
      loaded = true;
    }
  }
}
