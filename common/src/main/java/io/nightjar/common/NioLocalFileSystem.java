package io.nightjar.common;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file://}, checksummed) with permissions, owners and groups read and set through
 * {@code java.nio} instead of a child process. Without Hadoop's native library ({@code libhadoop.so}: not in Hadoop's
 * Maven artifacts, so never there in local mode, and missing from many cluster images) Hadoop 3.3's
 * {@code RawLocalFileSystem.setPermission} runs {@code chmod} and its file status runs {@code ls -ld} the first time a
 * permission, owner or group is asked for: one local {@code sensor-averages} run started 110 processes (78
 * {@code chmod}, 19 {@code ls}; strace), about 5 ms each, most of them while the job is submitted. nightjar's tools
 * make this the {@code file://} implementation ({@value #IMPL_KEY}) unless a user or site file chose one; the job's
 * configuration carries it to its tasks, which use the local file system for their spills and outputs.
 *
 * <p>Same answers as Hadoop's: the permission bits (sticky bit included) from the {@code unix:mode} attribute, owner
 * and group names as {@code ls} prints them. Where the JDK has no {@code unix} attribute view (not Linux or macOS),
 * Hadoop's own code runs.
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
      try {
        Files.setAttribute(pathToFile(p).toPath(), "unix:mode", permission.toShort() & 01777);
      } catch (NoSuchFileException e) {
        throw new FileNotFoundException("File " + p + " does not exist");
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        super.setPermission(p, permission);
      }
    }

    @Override
    public FileStatus getFileStatus(Path p) throws IOException {
      return withOwnership(super.getFileStatus(p));
    }

    @Override
    public FileStatus[] listStatus(Path p) throws IOException {
      FileStatus[] statuses = super.listStatus(p); // a folder's entries come through getFileStatus already
      for (int i = 0; i < statuses.length; i++) {
        if (!(statuses[i] instanceof Status)) {
          statuses[i] = withOwnership(statuses[i]);
        }
      }
      return statuses;
    }

    private FileStatus withOwnership(FileStatus status) throws IOException {
      Map<String, Object> attributes;
      try {
        attributes = Files.readAttributes(pathToFile(status.getPath()).toPath(), "unix:mode,owner,group");
      } catch (NoSuchFileException e) {
        throw new FileNotFoundException("File " + status.getPath() + " does not exist");
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        return status;
      }
      int mode = (Integer) attributes.get("mode");
      return new Status(status, new FsPermission((short) (mode & 01777)), attributes.get("owner").toString(),
          attributes.get("group").toString());
    }
  }

  /** A status whose permission, owner and group are read already. */
  private static final class Status extends FileStatus {
    private static final long serialVersionUID = 1L;

    Status(FileStatus status, FsPermission permission, String owner, String group) {
      super(status.getLen(), status.isDirectory(), status.getReplication(), status.getBlockSize(),
          status.getModificationTime(), status.getAccessTime(), permission, owner, group, status.getPath());
    }
  }
}
