package io.nightjar.testkit.local;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.FileNotFoundException;
import java.util.Arrays;
import java.util.Comparator;
import org.apache.crunch.test.TemporaryPath;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

/** nightjar's local file system answers as Hadoop's own does, without starting processes. */
public class NioLocalFileSystemTest {

  @Rule
  public final TemporaryPath tmp = new TemporaryPath();

  private final NioLocalFileSystem nio = new NioLocalFileSystem();
  private final LocalFileSystem hadoops = new LocalFileSystem();
  private Path folder;

  @Before
  public void setUp() throws Exception {
    Configuration conf = new Configuration(false);
    nio.initialize(FileSystem.getDefaultUri(conf).resolve("file:///"), conf);
    hadoops.initialize(FileSystem.getDefaultUri(conf).resolve("file:///"), conf);
    folder = new Path(tmp.getRootFile().toURI().toString(), "data");
  }

  @Test
  public void setsPermissionsAsHadoopReadsThem() throws Exception {
    Path file = new Path(folder, "part-00000");
    nio.mkdirs(folder, new FsPermission((short) 0750));
    nio.create(file, new FsPermission((short) 0640), true, 4096, (short) 1, 1 << 20, null).close();
    nio.setPermission(folder, new FsPermission((short) 01751));

    assertEquals(new FsPermission((short) 01751), hadoops.getFileStatus(folder).getPermission());
    assertEquals(new FsPermission((short) 0640), hadoops.getFileStatus(file).getPermission());
  }

  @Test
  public void statusesEqualHadoops() throws Exception {
    Path file = new Path(folder, "part-00000");
    hadoops.mkdirs(folder, new FsPermission((short) 0751));
    hadoops.create(file, new FsPermission((short) 0604), true, 4096, (short) 1, 1 << 20, null).close();
    hadoops.setPermission(folder, new FsPermission((short) 01751));

    assertSameStatus(hadoops.getFileStatus(folder), nio.getFileStatus(folder));
    assertSameStatus(hadoops.getFileStatus(file), nio.getFileStatus(file));
    FileStatus[] theirs = sorted(hadoops.listStatus(folder)); // the data file and its .crc are filtered the same
    FileStatus[] ours = sorted(nio.listStatus(folder));
    assertEquals(1, ours.length);
    assertEquals(theirs.length, ours.length);
    assertSameStatus(theirs[0], ours[0]);
    assertSameStatus(hadoops.listStatus(file)[0], nio.listStatus(file)[0]);
    assertEquals(2, nio.getRaw().listStatus(folder).length); // the raw file system lists the checksum file too
  }

  @Test
  public void aFolderKeepsItsSetgidBitAsWithChmod() throws Exception {
    nio.mkdirs(folder);
    java.nio.file.Path dir = java.nio.file.Paths.get(folder.toUri());
    java.nio.file.Files.setAttribute(dir, "unix:mode", 02770);
    nio.setPermission(folder, new FsPermission((short) 0750));
    assertEquals(02750, (Integer) java.nio.file.Files.getAttribute(dir, "unix:mode") & 07777);
  }

  @Test(expected = FileNotFoundException.class)
  public void aMissingFileIsNotFound() throws Exception {
    nio.getFileStatus(new Path(folder, "missing"));
  }

  @Test(expected = FileNotFoundException.class)
  public void aMissingFileHasNoPermissionToSet() throws Exception {
    nio.setPermission(new Path(folder, "missing"), new FsPermission((short) 0644));
  }

  @Test
  public void isTheFileSystemOfFileUrisWhenConfigured() throws Exception {
    Configuration conf = new Configuration();
    conf.set(NioLocalFileSystem.IMPL_KEY, NioLocalFileSystem.class.getName());
    FileSystem local = FileSystem.newInstance(new java.net.URI("file:///"), conf);
    try {
      assertTrue(local instanceof NioLocalFileSystem);
      assertSame(NioLocalFileSystem.Raw.class, ((LocalFileSystem) local).getRaw().getClass());
    } finally {
      local.close();
    }
  }

  private static void assertSameStatus(FileStatus expected, FileStatus actual) {
    assertEquals(expected.getPath(), actual.getPath());
    assertEquals(expected.isDirectory(), actual.isDirectory());
    assertEquals(expected.getLen(), actual.getLen());
    assertEquals(expected.getModificationTime(), actual.getModificationTime());
    assertEquals(expected.getPermission(), actual.getPermission());
    assertEquals(expected.getOwner(), actual.getOwner());
    assertEquals(expected.getGroup(), actual.getGroup());
  }

  private static FileStatus[] sorted(FileStatus[] statuses) {
    Arrays.sort(statuses, Comparator.comparing(FileStatus::getPath));
    return statuses;
  }
}
