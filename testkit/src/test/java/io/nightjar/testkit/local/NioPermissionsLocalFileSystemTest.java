package io.nightjar.testkit.local;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.Random;
import org.apache.crunch.test.TemporaryPath;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** Permissions as Hadoop's local file system sets them; reads through Hadoop's own checksummed stream. */
public class NioPermissionsLocalFileSystemTest {

  @Rule
  public final TemporaryPath tmp = new TemporaryPath();

  private final NioPermissionsLocalFileSystem fs = new NioPermissionsLocalFileSystem();
  private final LocalFileSystem hadoops = new LocalFileSystem();
  private Path folder;

  @Before
  public void setUp() throws Exception {
    Configuration conf = new Configuration(false);
    fs.initialize(FileSystem.getDefaultUri(conf).resolve("file:///"), conf);
    hadoops.initialize(FileSystem.getDefaultUri(conf).resolve("file:///"), conf);
    folder = new Path(tmp.getRootFile().toURI().toString(), "staging");
  }

  @Test
  public void setsPermissionsAsHadoopReadsThem() throws Exception {
    assertTrue(fs.getRawFileSystem() instanceof NioLocalFileSystem.Raw); // java.nio, not a chmod process
    Path file = new Path(folder, "job.xml");
    fs.mkdirs(folder, new FsPermission((short) 0700));
    fs.create(file, new FsPermission((short) 0644), true, 4096, (short) 1, 1 << 20, null).close();
    fs.setPermission(folder, new FsPermission((short) 0755));

    assertEquals(new FsPermission((short) 0755), hadoops.getFileStatus(folder).getPermission());
    assertEquals(new FsPermission((short) 0644), hadoops.getFileStatus(file).getPermission());
  }

  @Test
  public void readsThroughHadoopsStreamAndItsChecks() throws Exception {
    Path file = new Path(folder, "spill0.out");
    byte[] bytes = new byte[100_000];
    new Random(7).nextBytes(bytes);
    try (FSDataOutputStream out = fs.create(file)) {
      out.write(bytes);
    }
    byte[] read = new byte[bytes.length];
    try (FSDataInputStream in = fs.open(file)) {
      assertEquals("org.apache.hadoop.fs.ChecksumFileSystem$ChecksumFSInputChecker",
          in.getWrappedStream().getClass().getName());
      in.readFully(read);
    }
    assertArrayEquals(bytes, read);

    bytes[50_000] ^= 1; // the data changed behind the checksums
    try (FSDataOutputStream out = fs.getRawFileSystem().create(file, true)) {
      out.write(bytes);
    }
    try (FSDataInputStream in = fs.open(file)) {
      in.readFully(read);
      throw new AssertionError("read a changed file without a checksum error");
    } catch (ChecksumException expected) {
      assertTrue(expected.getMessage(), expected.getMessage().contains("Checksum error"));
    } catch (IOException other) {
      throw new AssertionError("not a checksum error: " + other, other);
    }
  }
}
