package io.nightjar.common;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one folder atomically. A job writes into {@link #stagingDir()}, a hidden sibling
 * ({@code _staging-<name>-<run>}); {@link #commit()} puts {@code _SUCCESS} into it and renames it into place, so the
 * folder appears in one rename with its flag already inside. A reader polling for {@code <folder>/_SUCCESS} never
 * sees a half-written folder.
 *
 * <p>Rerunning replaces an existing folder: the old one is renamed aside ({@code _superseded-<name>-<run>}), the new
 * one renamed in, then the old one deleted. Between the two renames the folder is briefly absent (not ready), never
 * partial. If a run dies between them, the next {@link #begin} puts the old folder back. A failed or aborted run
 * leaves the published folder as it was. Runs of the same folder must not overlap (Oozie: concurrency 1).
 *
 * <p>Renames are O(1) metadata operations on HDFS. On object stores (S3A) a rename is a copy and not atomic; publish
 * to HDFS.
 */
public final class Publication implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Publication.class);
  private static final String STAGING_PREFIX = "_staging-";
  private static final String SUPERSEDED_PREFIX = "_superseded-";

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final String runId;
  private boolean finished;

  private Publication(FileSystem fs, Path target, String runId) {
    this.fs = fs;
    this.target = target;
    this.runId = runId;
    this.staging = new Path(target.getParent(), STAGING_PREFIX + target.getName() + "-" + runId);
  }

  /**
   * Starts publishing {@code target}: recovers a folder left aside by a run that died mid-commit, removes staging
   * folders left by earlier interrupted runs of the same target, and returns a fresh staging location (not created).
   */
  public static Publication begin(FileSystem fs, Path target) throws IOException {
    Publication publication = new Publication(fs, target, UUID.randomUUID().toString().substring(0, 8));
    publication.recoverAndCleanUp();
    return publication;
  }

  /** Where the job writes; it does not exist until the job (or {@link #commit}) creates it. */
  public Path stagingDir() {
    return staging;
  }

  /** The folder this publication creates or replaces. */
  public Path target() {
    return target;
  }

  /** Moves the staged folder into place with its {@code _SUCCESS} flag. */
  public void commit() throws IOException {
    if (finished) {
      throw new IllegalStateException("already committed or aborted: " + target);
    }
    fs.mkdirs(staging);
    fs.create(new Path(staging, Dataset.SUCCESS_FLAG), true).close();
    fs.mkdirs(target.getParent());
    Path superseded = new Path(target.getParent(), SUPERSEDED_PREFIX + target.getName() + "-" + runId);
    boolean replacing = fs.exists(target);
    if (replacing && !fs.rename(target, superseded)) {
      throw new IOException("could not move the previous " + target + " aside to " + superseded);
    }
    if (!fs.rename(staging, target)) {
      if (replacing) {
        fs.rename(superseded, target);
      }
      throw new IOException("could not rename " + staging + " to " + target);
    }
    finished = true;
    if (replacing) {
      fs.delete(superseded, true);
      LOG.info("Replaced {}", target);
    } else {
      LOG.info("Published {}", target);
    }
  }

  /** Deletes whatever was staged; the published folder, if any, stays as it was. */
  public void abort() throws IOException {
    if (!finished) {
      finished = true;
      fs.delete(staging, true);
    }
  }

  /** Aborts unless committed. */
  @Override
  public void close() throws IOException {
    abort();
  }

  private void recoverAndCleanUp() throws IOException {
    Path parent = target.getParent();
    if (!fs.exists(parent)) {
      return;
    }
    for (FileStatus leftover : fs.listStatus(parent)) {
      String name = leftover.getPath().getName();
      if (name.startsWith(SUPERSEDED_PREFIX + target.getName() + "-")) {
        if (!fs.exists(target) && fs.rename(leftover.getPath(), target)) {
          LOG.warn("Restored {} from {}, left aside by a run that died while publishing", target, name);
        } else {
          fs.delete(leftover.getPath(), true);
        }
      } else if (name.startsWith(STAGING_PREFIX + target.getName() + "-")) {
        LOG.warn("Removing {}, left by an interrupted run", leftover.getPath());
        fs.delete(leftover.getPath(), true);
      }
    }
  }
}
