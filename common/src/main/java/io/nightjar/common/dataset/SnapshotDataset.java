package io.nightjar.common.dataset;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A large dataset kept as periodic full snapshots ({@code <name>/full/<date>/}) plus daily incrementals of new,
 * changed and deleted items ({@code <name>/incremental/<date>/}). A day normally has an incremental; a compaction day
 * has a full that absorbs everything up to and including that day.
 *
 * <p>{@link #viewAsOf} answers "what must I read to see the data as of day D": the latest published full on or before
 * D, plus the published incrementals after it up to D. {@link #retire} deletes what no view of the last N days needs.
 */
public final class SnapshotDataset {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotDataset.class);

  private final Dataset full;
  private final Dataset incremental;

  private SnapshotDataset(Dataset full, Dataset incremental) {
    this.full = full;
    this.incremental = incremental;
  }

  public static SnapshotDataset of(Configuration conf, String project, String name) throws IOException {
    return new SnapshotDataset(Dataset.of(conf, project, name + "/full"),
        Dataset.of(conf, project, name + "/incremental"));
  }

  public Dataset full() {
    return full;
  }

  public Dataset incremental() {
    return incremental;
  }

  /** The folders to read, latest full first, to see the data as of {@code day}. */
  public static final class View {
    private final Optional<LocalDate> fullDay;
    private final List<LocalDate> incrementalDays;
    private final List<Path> paths;

    View(Optional<LocalDate> fullDay, List<LocalDate> incrementalDays, List<Path> paths) {
      this.fullDay = fullDay;
      this.incrementalDays = incrementalDays;
      this.paths = paths;
    }

    public Optional<LocalDate> fullDay() {
      return fullDay;
    }

    public List<LocalDate> incrementalDays() {
      return incrementalDays;
    }

    public List<Path> paths() {
      return paths;
    }

    @Override
    public String toString() {
      return "full " + fullDay.map(LocalDate::toString).orElse("(none)") + " + incrementals " + incrementalDays;
    }
  }

  /** Latest full on or before {@code day} plus the incrementals after it, up to and including {@code day}. */
  public View viewAsOf(FileSystem fs, LocalDate day) throws IOException {
    return view(fs, full.latestPublishedOnOrBefore(fs, day), day);
  }

  /**
   * What a compaction for {@code day} merges: the latest full before {@code day} (not {@code day}'s own, so a rerun
   * absorbs a re-delivered incremental) plus the incrementals after it, up to and including {@code day}.
   */
  public View compactionInputs(FileSystem fs, LocalDate day) throws IOException {
    return view(fs, full.latestPublishedOnOrBefore(fs, day.minusDays(1)), day);
  }

  private View view(FileSystem fs, Optional<LocalDate> base, LocalDate day) throws IOException {
    List<LocalDate> incrementals = new ArrayList<>();
    List<Path> paths = new ArrayList<>();
    base.ifPresent(d -> paths.add(full.dayPath(d)));
    for (LocalDate d : incremental.publishedDays(fs)) {
      if (!d.isAfter(day) && (!base.isPresent() || d.isAfter(base.get()))) {
        incrementals.add(d);
        paths.add(incremental.dayPath(d));
      }
    }
    return new View(base, incrementals, paths);
  }

  /**
   * What {@code day}'s delivery is: the full published for that day if there is one, else its incremental, else
   * nothing.
   */
  public Optional<Path> deliveryOf(FileSystem fs, LocalDate day) throws IOException {
    if (full.isPublished(fs, day)) {
      return Optional.of(full.dayPath(day));
    }
    return incremental.isPublished(fs, day) ? Optional.of(incremental.dayPath(day)) : Optional.empty();
  }

  /**
   * Deletes fulls and incrementals that no view of the days {@code today - keepDays .. today} needs, so a reader
   * still working on one of those days is never pulled out from under. Only published folders count: nothing is
   * retired because of a full whose {@code _SUCCESS} is not there yet. Returns what was deleted.
   */
  public List<Path> retire(FileSystem fs, LocalDate today, int keepDays) throws IOException {
    TreeSet<Path> needed = new TreeSet<>();
    for (LocalDate d = today.minusDays(keepDays); !d.isAfter(today); d = d.plusDays(1)) {
      needed.addAll(viewAsOf(fs, d).paths());
    }
    List<Path> candidates = new ArrayList<>();
    for (LocalDate d : full.publishedDays(fs)) {
      if (d.isBefore(today)) {
        candidates.add(full.dayPath(d));
      }
    }
    for (LocalDate d : incremental.publishedDays(fs)) {
      if (!d.isAfter(today)) {
        candidates.add(incremental.dayPath(d));
      }
    }
    List<Path> deleted = new ArrayList<>();
    for (Path candidate : candidates) {
      if (!needed.contains(candidate)) {
        // The flag goes first: a reader polling for it stops treating the folder as published before it vanishes.
        fs.delete(new Path(candidate, Dataset.SUCCESS_FLAG), false);
        fs.delete(candidate, true);
        deleted.add(candidate);
        LOG.info("Retired {} (no view of {} .. {} needs it)", candidate, today.minusDays(keepDays), today);
      }
    }
    Collections.sort(deleted);
    return deleted;
  }
}
