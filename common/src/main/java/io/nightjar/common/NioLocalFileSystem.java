package io.nightjar.common;

import java.io.DataOutput;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file://}, checksummed) with permissions, owners and groups read and set through
 * {@code java.nio} instead of a child process. Without Hadoop's native library ({@code libhadoop.so}: not in Hadoop's
 * Maven artifacts, so absent when nightjar runs from them: the embedded runs, the tests, the benchmarks) Hadoop 3.3's
 * {@code RawLocalFileSystem.setPermission} runs {@code chmod} and its file status runs {@code ls -ld} the first time a
 * permission, owner or group is asked for: one local {@code sensor-averages} run started 110 processes (78
 * {@code chmod}, 19 {@code ls}; strace), about 5 ms each, most of them while the job is submitted. nightjar's tools
 * make this the {@code file://} implementation ({@value #IMPL_KEY}) in local mode, unless a user or site file chose
 * one. Not on a cluster: a task there resolves {@code file://} before the job's class loader is set up
 * ({@code YarnChild.configureTask} with {@code mapreduce.job.classloader}), and a cluster's nodes normally have the
 * native library. Hadoop caches file systems per scheme and user, not per configuration: a JVM that opened
 * {@code file://} before the tool set the key keeps Hadoop's.
 *
 * <p>Same answers as Hadoop's: the permission bits (sticky bit included) from the {@code unix:mode} attribute, owner
 * and group names as {@code ls} prints them, read when first asked for, as Hadoop's status does; setting a folder's
 * permission keeps its setuid and setgid bits, as {@code chmod} with four octal digits does. Where the JDK has no
 * {@code unix} attribute view (not Linux or macOS), Hadoop's own code runs.
 */
public class NioLocalFileSystem extends LocalFileSystem {

  /** The configuration key naming the class of the {@code file://} file system. */
  public static final String IMPL_KEY = "fs.file.impl";

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The file system under the checksums. */
  public static class Raw extends RawLocalFileSystem {

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
