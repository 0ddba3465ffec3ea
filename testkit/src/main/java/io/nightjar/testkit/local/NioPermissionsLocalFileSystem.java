package io.nightjar.testkit.local;

import org.apache.hadoop.fs.LocalFileSystem;

/**
 * Hadoop's local file system with only the part of {@link NioLocalFileSystem} that stands in for Hadoop's native
 * library: permissions, owners and groups read and set through {@code java.nio} (where {@code libhadoop.so} would
 * make them system calls) instead of a {@code chmod} or {@code ls} process each. Files are read through Hadoop's own
 * checksummed stream. Use it where the local file system holds only what a cluster node holds locally (job staging
 * in local mode, spills, localized cache files) and the data are elsewhere: the benchmarks' HDFS runs. A cluster's
 * nodes normally have the native library; Hadoop's Maven artifacts, from which the benchmarks run, do not.
 */
public class NioPermissionsLocalFileSystem extends LocalFileSystem {

  public NioPermissionsLocalFileSystem() {
    super(new NioLocalFileSystem.Raw());
  }
}
