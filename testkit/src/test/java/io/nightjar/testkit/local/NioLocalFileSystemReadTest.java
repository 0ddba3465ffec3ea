package io.nightjar.testkit.local;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.Random;
import org.apache.crunch.test.TemporaryPath;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.Rule;
import org.junit.Test;

/**
 * nightjar's local file system reads what Hadoop's reads, checksums verified a buffer at a time: every byte, seek and
 * skip as Hadoop's stream, positioned reads the file's bytes; a corrupt byte or a short checksum file is an error at
 * the chunk where Hadoop's stream reports it, and no unverified byte is read after one; Hadoop's stream where Hadoop
 * reads unverified (checksums off, no {@code .crc}, not a checksum file) or chunks are larger than the buffer.
 */
public class NioLocalFileSystemReadTest {

  private static final int[] SIZES = {0, 1, 511, 512, 513, 65_535, 65_536, 65_537, 300_001};

  @Rule
  public final TemporaryPath tmp = new TemporaryPath();

  private final Random random = new Random(42);

  @Test
  public void readsWhatHadoopReads() throws Exception {
    readsWhatHadoopReads(new Configuration(false));
  }

  @Test
  public void readsWhatHadoopReadsWithChunksThatDoNotDivideTheBuffer() throws Exception {
    Configuration conf = new Configuration(false);
    conf.setInt("file.bytes-per-checksum", 1000);
    readsWhatHadoopReads(conf);
  }

  private void readsWhatHadoopReads(Configuration conf) throws Exception {
    LocalFileSystem nio = fileSystem(new NioLocalFileSystem(), conf);
    LocalFileSystem hadoops = fileSystem(new LocalFileSystem(), conf);
    assertEquals(conf.getInt("file.bytes-per-checksum", 512), nio.getBytesPerSum());
    for (int size : SIZES) {
      Path file = path("data-" + size);
      byte[] bytes = write(hadoops, file, size);
      try (FSDataInputStream ours = nio.open(file); FSDataInputStream theirs = hadoops.open(file)) {
        assertTrue("verifying stream for " + size, verifying(ours));
        byte[] whole = new byte[size];
        ours.readFully(whole);
        assertArrayEquals(bytes, whole);
        assertEquals(-1, ours.read());
        assertEquals(size, ours.getPos());
        for (int i = 0; i < 200 && size > 0; i++) {
          long target = random.nextInt(size + 1);
          ours.seek(target);
          theirs.seek(target);
          byte[] a = new byte[random.nextInt(140_000) + 1];
          byte[] b = new byte[a.length];
          int n = ours.readNBytes(a, 0, a.length);
          assertEquals(theirs.readNBytes(b, 0, b.length), n);
          assertArrayEquals(b, a);
          assertEquals(theirs.getPos(), ours.getPos());
          long skip = random.nextInt(2000);
          assertEquals(theirs.skip(skip), ours.skip(skip));
          assertEquals(theirs.read(), ours.read());
          assertEquals(theirs.available(), ours.available());
          long at = random.nextInt(size);
          byte[] c = new byte[(int) Math.min(size - at, random.nextInt(3000) + 1)];
          ours.readFully(at, c);
          for (int k = 0; k < c.length; k++) {
            assertEquals(bytes[(int) at + k], c[k]);
          }
          assertEquals("a positioned read leaves the position", theirs.getPos(), ours.getPos());
        }
        ours.seek(size);
        assertEquals(-1, ours.read());
        assertEquals(-1, ours.read(size, new byte[1], 0, 1));
        try {
          ours.readFully(Math.max(0, size - 1), new byte[2]);
          fail("a positioned read past the end");
        } catch (EOFException expected) {
          // the bytes are not there
        }
        try {
          ours.seek(size + 1L);
          fail("seek after the end");
        } catch (EOFException expected) {
          // as Hadoop's
        }
      }
    }
  }

  @Test
  public void countsTheBytesItReadsInTheFileSystemsStatistics() throws Exception {
    LocalFileSystem nio = nio();
    Path file = path("counted");
    write(nio, file, 200_000);
    long before = FileSystem.getStatistics("file", NioLocalFileSystem.Raw.class).getBytesRead();
    try (FSDataInputStream in = nio.open(file)) {
      in.readFully(new byte[200_000]);
    }
    long sums = nio.getRawFileSystem().getFileStatus(nio.getChecksumFile(file)).getLen();
    assertEquals(200_000 + sums, FileSystem.getStatistics("file", NioLocalFileSystem.Raw.class).getBytesRead() - before);
  }

  @Test
  public void aCorruptByteIsAChecksumErrorAtItsChunk() throws Exception {
    LocalFileSystem nio = nio();
    Path file = path("corrupt");
    byte[] bytes = write(nio, file, 300_000);
    flip(file, 200_000);
    try (FSDataInputStream in = nio.open(file)) {
      byte[] before = new byte[100_000];
      in.readFully(before); // the buffers before the corrupt chunk verify
      assertEquals(bytes[99_999], before[99_999]);
      in.seek(250_000); // a buffer from the chunk of 250,000 on does not hold it
      assertEquals(bytes[250_000] & 0xff, in.read());
      in.seek(0);
      try {
        in.readFully(new byte[300_000]);
        fail("read a corrupt byte");
      } catch (ChecksumException e) {
        assertEquals(200_000 / 512 * 512, e.getPos());
        assertTrue(e.getMessage(), e.getMessage().contains("Checksum") && e.getMessage().contains(file.toString()));
      }
    }
    nio.setVerifyChecksum(false);
    try (FSDataInputStream in = nio.open(file)) {
      byte[] all = new byte[300_000];
      in.readFully(all);
      assertEquals((byte) (bytes[200_000] ^ 1), all[200_000]);
    }
  }

  @Test
  public void aShortChecksumFileIsAChecksumErrorAtTheFirstChunkWithoutOne() throws Exception {
    LocalFileSystem nio = nio();
    Path file = path("short-sums");
    byte[] bytes = write(nio, file, 10_000);
    truncateChecksums(nio, file, 10); // checksums of the first ten chunks only
    try (FSDataInputStream in = nio.open(file)) {
      byte[] read = new byte[10_000];
      try {
        in.readFully(read);
        fail("read past the checksums");
      } catch (ChecksumException e) {
        assertEquals(5_120, e.getPos()); // where Hadoop's stream stops too
      }
      assertEquals(bytes[5_119], read[5_119]);
    }
  }

  @Test
  public void afterAChecksumErrorOnlyVerifiedBytesAreRead() throws Exception {
    LocalFileSystem nio = nio();
    Path file = path("first-buffer-sums");
    byte[] bytes = write(nio, file, 100_000);
    truncateChecksums(nio, file, NioLocalFileSystem.VERIFIED_BUFFER_BYTES / 512);
    try (FSDataInputStream in = nio.open(file)) {
      in.readFully(new byte[NioLocalFileSystem.VERIFIED_BUFFER_BYTES]);
      try {
        in.read();
        fail("read a byte without a checksum");
      } catch (ChecksumException e) {
        assertEquals(NioLocalFileSystem.VERIFIED_BUFFER_BYTES, e.getPos());
      }
      in.seek(0);
      assertEquals(bytes[0] & 0xff, in.read());
      try {
        in.read(70_000L, new byte[10], 0, 10);
        fail("a positioned read of a byte without a checksum");
      } catch (ChecksumException expected) {
        // and the position and the bytes under it are unchanged
      }
      assertEquals(1, in.getPos());
      assertEquals(bytes[1] & 0xff, in.read());
    }
  }

  @Test
  public void readsWhenTheThreadIsInterruptedAndNotAfterClose() throws Exception {
    LocalFileSystem nio = nio();
    Path file = path("interrupted");
    byte[] bytes = write(nio, file, 200_000);
    byte[] read = new byte[200_000];
    FSDataInputStream in;
    Thread.currentThread().interrupt(); // as a task being cancelled, or a tool closing its lease after an interrupt
    try {
      in = nio.open(file);
      in.readFully(read);
    } finally {
      assertTrue(Thread.interrupted());
    }
    assertArrayEquals(bytes, read);
    in.close();
    try {
      in.seek(0);
      in.read();
      fail("read after close");
    } catch (IOException expected) {
      // as Hadoop's stream
    }
  }

  @Test
  public void theOpenFileBuilderVerifiesToo() throws Exception {
    LocalFileSystem nio = nio();
    Path file = path("built");
    write(nio, file, 3_000);
    flip(file, 2_000);
    try (FSDataInputStream in = nio.openFile(file).build().get()) {
      assertTrue(verifying(in));
      in.readFully(new byte[3_000]);
      fail("read a corrupt byte");
    } catch (ChecksumException e) {
      assertEquals(1_536, e.getPos());
    }
  }

  @Test
  public void hadoopsStreamWhereTheChecksumFileIsNotOneOrItsChunksAreLarge() throws Exception {
    Configuration conf = new Configuration(false);
    LocalFileSystem nio = fileSystem(new NioLocalFileSystem(), conf);
    Path file = path("odd-sums");
    java.io.File sums = localFile(nio.getChecksumFile(file));
    for (byte[] content : new byte[][] {{'c', 'r'}, {'x', 'r', 'c', 0, 0, 0, 2, 0}}) {
      byte[] bytes = write(nio, file, 5_000);
      java.nio.file.Files.write(sums.toPath(), content);
      try (FSDataInputStream in = nio.open(file)) {
        assertTrue(!verifying(in));
        byte[] read = new byte[5_000];
        in.readFully(read);
        assertArrayEquals(bytes, read);
      }
    }
    conf.setInt("file.bytes-per-checksum", 100_000);
    LocalFileSystem large = fileSystem(new NioLocalFileSystem(), conf);
    byte[] bytes = write(large, file, 250_000);
    try (FSDataInputStream in = large.open(file)) {
      assertTrue(!verifying(in));
      byte[] read = new byte[250_000];
      in.readFully(read);
      assertArrayEquals(bytes, read);
    }
  }

  @Test
  public void withoutAChecksumFileReadsUnverifiedAsHadoopDoes() throws Exception {
    LocalFileSystem nio = nio();
    Path file = path("no-sums");
    byte[] bytes = write(nio, file, 70_000);
    assertTrue(nio.getRawFileSystem().delete(nio.getChecksumFile(file), false));
    byte[] read = new byte[70_000];
    try (FSDataInputStream in = nio.open(file)) {
      in.readFully(read);
    }
    assertArrayEquals(bytes, read);
  }

  private static boolean verifying(FSDataInputStream in) {
    return in.getWrappedStream().getClass().getName().endsWith("$VerifiedInput");
  }

  private static void truncateChecksums(LocalFileSystem fs, Path file, int chunks) throws IOException {
    try (RandomAccessFile sums = new RandomAccessFile(localFile(fs.getChecksumFile(file)), "rw")) {
      sums.setLength(8 + 4L * chunks);
    }
  }

  private Path path(String name) {
    return new Path(tmp.getRootFile().toURI().toString(), name);
  }

  /** nightjar's local file system with Hadoop's default chunk size. */
  private static LocalFileSystem nio() throws IOException {
    return fileSystem(new NioLocalFileSystem(), new Configuration(false));
  }

  private static LocalFileSystem fileSystem(LocalFileSystem fs, Configuration conf) throws IOException {
    fs.setConf(conf); // as FileSystem.get does (ReflectionUtils.newInstance), for the chunk size
    fs.initialize(java.net.URI.create("file:///"), conf);
    return fs;
  }

  private byte[] write(FileSystem fs, Path file, int size) throws IOException {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    try (FSDataOutputStream out = fs.create(file, true)) {
      out.write(bytes);
    }
    return bytes;
  }

  private static java.io.File localFile(Path path) {
    return new java.io.File(path.toUri().getPath());
  }

  private static void flip(Path file, long position) throws IOException {
    try (RandomAccessFile raw = new RandomAccessFile(localFile(file), "rw")) {
      raw.seek(position);
      int b = raw.read();
      raw.seek(position);
      raw.write(b ^ 1);
    }
  }
}
