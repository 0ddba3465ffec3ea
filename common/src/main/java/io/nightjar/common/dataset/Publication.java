package io.nightjar.common.dataset;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>Rerunning replaces an existing folder: the old one is renamed aside ({@code _superseded-<name>-<millis>-<run>})
 * and the new one renamed in. Between the two renames the folder is briefly absent (not ready), never partial. The
 * old folder is kept for {@value #GRACE_HOURS_KEY} (default {@value #DEFAULT_GRACE_HOURS} h), so a reader that opened
 * its files before the rerun still reads them whole: its blocks stay on the DataNodes, and the HDFS client located
 * them when it opened the file (up to {@code dfs.client.read.prefetch.size}, 10 blocks by default; past that it asks
 * the NameNode again by path, which then names the new day's file). Only readers that had a file open are covered:
 * a MapReduce job that planned its splits before the rerun and opens files after it reads the new day's files. Two
 * days cover a daily reader's run with a retry; it is shorter than Delta's 7-day vacuum default because a superseded
 * full snapshot can be terabytes. Later publications in the same parent folder delete expired folders, except the
 * newest copy of a folder that is missing: a run that died between the two renames leaves it, and the next
 * {@link #begin} of that folder puts it back. A failed or aborted run leaves the published folder as it was.
 *
 * <p>Runs of the same folder must not overlap: {@link #begin} removes every staging folder of its target, which is
 * right only while the caller holds the day's {@link DatasetLease} ({@link DailyPublication} takes it).
 *
 * <p>Renames are O(1) metadata operations on HDFS. On object stores (S3A) a rename is a copy and not atomic; publish
 * to HDFS.
 */
public final class Publication implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Publication.class);
  private static final String STAGING_PREFIX = "_staging-";
  private static final String SUPERSEDED_PREFIX = "_superseded-";
  /** Hours a replaced folder is kept aside for readers that opened it before the rerun. */
  public static final String GRACE_HOURS_KEY = "nightjar.superseded.grace-hours";
  public static final int DEFAULT_GRACE_HOURS = 48;

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final String runId;
  private boolean finished;
  private boolean committed;
  /** Where {@link #commit} put the folder it replaced, or null. */
  private Path replaced;

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

  /** Moves the staged folder into place with an empty {@code _SUCCESS} flag. */
  public void commit() throws IOException {
    commit("");
  }

  /**
   * Moves the staged folder into place with its {@code _SUCCESS} flag holding {@code manifest} (a {@link Manifest}'s
   * JSON), written into staging so it appears with the folder in the same rename.
   */
  public void commit(String manifest) throws IOException {
    if (finished) {
      throw new IllegalStateException("already committed or aborted: " + target);
    }
    fs.mkdirs(staging);
    try (OutputStream flag = fs.create(new Path(staging, Dataset.SUCCESS_FLAG), true)) {
      flag.write(manifest.getBytes(StandardCharsets.UTF_8));
    }
    fs.mkdirs(target.getParent());
    Path superseded = new Path(target.getParent(),
        SUPERSEDED_PREFIX + target.getName() + "-" + System.currentTimeMillis() + "-" + runId);
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
    committed = true;
    replaced = replacing ? superseded : null;
    if (replacing) {
      LOG.info("Replaced {}; the previous folder stays readable as {} for {} h", target, superseded.getName(),
          graceHours());
    } else {
      LOG.info("Published {}", target);
    }
  }

  /**
   * Undoes a {@link #commit}: the folder it published is deleted and the one it replaced, if any, put back. For a
   * folder that stands or falls with another one (a day's quarantine with the day: {@link DailyPublication}).
   */
  public void revert() throws IOException {
    if (!committed) {
      return;
    }
    committed = false;
    fs.delete(target, true);
    if (replaced != null && !fs.rename(replaced, target)) {
      throw new IOException("could not put " + replaced + " back as " + target);
    }
    LOG.warn("Reverted {} to {}", target, replaced == null ? "nothing (it was new)" : "the folder it replaced");
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
    // One listing answers everything below: which folders exist, which were put aside, which staging is left over.
    Set<String> present = new HashSet<>();
    List<FileStatus> aside = new ArrayList<>();
    for (FileStatus leftover : fs.listStatus(parent)) {
      String name = leftover.getPath().getName();
      present.add(name);
      if (name.startsWith(SUPERSEDED_PREFIX)) {
        aside.add(leftover);
      } else if (name.startsWith(STAGING_PREFIX + target.getName() + "-")) {
        LOG.warn("Removing {}, left by an interrupted run", leftover.getPath());
        fs.delete(leftover.getPath(), true);
      }
    }
    // The newest copy put aside of each folder, by the folder's name.
    Map<String, FileStatus> newest = new HashMap<>();
    for (FileStatus old : aside) {
      newest.merge(supersededTarget(old.getPath().getName()), old,
          (a, b) -> supersededAt(a.getPath().getName()) >= supersededAt(b.getPath().getName()) ? a : b);
    }
    // Ours by prefix, so a folder put aside under the older _superseded-<name>-<run> form is restored too.
    FileStatus ours = aside.stream()
        .filter(old -> old.getPath().getName().startsWith(SUPERSEDED_PREFIX + target.getName() + "-"))
        .max(Comparator.comparingLong(old -> supersededAt(old.getPath().getName()))).orElse(null);
    if (ours != null && !present.contains(target.getName()) && fs.rename(ours.getPath(), target)) {
      LOG.warn("Restored {} from {}, left aside by a run that died while publishing", target,
          ours.getPath().getName());
      aside.remove(ours);
      present.add(target.getName());
    }
    // At or before: with a grace of 0, a folder put aside in this very millisecond is expired too.
    long expiredBefore = System.currentTimeMillis() - graceHours() * 3_600_000L;
    for (FileStatus old : aside) {
      String name = old.getPath().getName();
      String itsTarget = supersededTarget(name);
      if (!present.contains(itsTarget) && newest.get(itsTarget) == old) {
        LOG.warn("Keeping {}: {} is missing and this is its newest copy (a run died while replacing it; rerun that "
            + "day to restore it)", old.getPath(), new Path(parent, itsTarget));
      } else if (supersededAt(name) <= expiredBefore) {
        LOG.info("Removing {}, superseded more than {} h ago", old.getPath(), graceHours());
        fs.delete(old.getPath(), true);
      }
    }
  }

  private long graceHours() {
    return fs.getConf().getLong(GRACE_HOURS_KEY, DEFAULT_GRACE_HOURS);
  }

  /** The folder name a {@code _superseded-<name>-<millis>-<run>} folder stood for. */
  static String supersededTarget(String name) {
    int millis = millisStart(name);
    return name.substring(SUPERSEDED_PREFIX.length(), millis < 0 ? name.length() : millis - 1);
  }

  /** When a {@code _superseded-<name>-<millis>-<run>} folder was put aside; 0 (long expired) if not in that form. */
  static long supersededAt(String name) {
    int millis = millisStart(name);
    try {
      return millis < 0 ? 0 : Long.parseLong(name.substring(millis, name.lastIndexOf('-')));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Where {@code <millis>} starts in {@code _superseded-<name>-<millis>-<run>}, or -1. */
  private static int millisStart(String name) {
    int run = name.lastIndexOf('-');
    int millis = run <= SUPERSEDED_PREFIX.length() ? -1 : name.lastIndexOf('-', run - 1);
    return millis < SUPERSEDED_PREFIX.length() ? -1 : millis + 1;
  }
}
