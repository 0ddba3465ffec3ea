package io.nightjar.common.dataset;

import io.nightjar.common.tool.JobFailedException;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Properties;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.ipc.RemoteException;
import org.apache.hadoop.security.UserGroupInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run's exclusive right to publish one day of a dataset: a small file {@code <dataset>/_leases/<day>} created if
 * absent (an atomic operation on HDFS), naming its holder (host, user, process, run id, start time, and the YARN
 * application when the run is itself a YARN container, as in an Oozie launcher). A second run of the same day is
 * refused with a one-line message naming the holder, or waits for it ({@value #WAIT_SECONDS_KEY}).
 *
 * <p>A lease is stale, and is taken over with a warning, when its holder's process is gone (same host) or it is older
 * than {@value #MAX_AGE_HOURS_KEY} (default {@value #DEFAULT_MAX_AGE_HOURS} hours: longer than any daily run, short
 * enough that a killed run's day can be rerun the same day), or when it names no holder (empty, half written or
 * unreadable: its run died between creating and writing it, a matter of milliseconds) and is older than
 * {@value #UNWRITTEN_GRACE_SECONDS_KEY} (default {@value #DEFAULT_UNWRITTEN_GRACE_SECONDS} s). While a run holds the
 * lease, every other staging folder of that day is a leftover of a dead run, so {@link Publication} may remove it.
 *
 * <p>Cost: two or three NameNode calls per run. Not for object stores (S3A has no create-if-absent).
 */
public final class DatasetLease implements AutoCloseable {

  /** Seconds to wait for another run's lease before giving up (default 0: refuse at once). */
  public static final String WAIT_SECONDS_KEY = "nightjar.lease.wait-seconds";
  /** Hours after which a lease is stale whatever its holder's state. */
  public static final String MAX_AGE_HOURS_KEY = "nightjar.lease.max-age-hours";
  public static final int DEFAULT_MAX_AGE_HOURS = 24;
  /** Seconds after which a lease file naming no holder (empty, half written, unreadable) is stale. */
  public static final String UNWRITTEN_GRACE_SECONDS_KEY = "nightjar.lease.unwritten-grace-seconds";
  public static final int DEFAULT_UNWRITTEN_GRACE_SECONDS = 300;
  /** The holder property marking a lease file that names no holder. */
  private static final String UNWRITTEN = "unwritten";
  /** Folder under a dataset that holds the leases, one file per day. */
  public static final String LEASE_DIR = "_leases";

  private static final Logger LOG = LoggerFactory.getLogger(DatasetLease.class);
  private static final long POLL_MILLIS = 2000;

  private final FileSystem fs;
  private final Path file;
  private final String runId;
  private boolean released;

  private DatasetLease(FileSystem fs, Path file, String runId) {
    this.fs = fs;
    this.file = file;
    this.runId = runId;
  }

  /** Takes the lease on {@code day} of {@code dataset}, waiting or taking over a stale one as configured. */
  public static DatasetLease acquire(Configuration conf, Dataset dataset, LocalDate day) throws IOException {
    FileSystem fs = dataset.path().getFileSystem(conf);
    Path file = new Path(new Path(dataset.path(), LEASE_DIR), day.toString());
    Properties mine = holder();
    long deadline = System.currentTimeMillis() + 1000L * conf.getLong(WAIT_SECONDS_KEY, 0);
    Duration maxAge = maxAge(conf);
    Duration unwrittenGrace = unwrittenGrace(conf);
    while (true) {
      if (tryCreate(fs, file, mine)) {
        return new DatasetLease(fs, file, mine.getProperty("run"));
      }
      Properties other = read(fs, file);
      if (other == null) {
        continue; // released between our create and read: try again
      }
      String stale = staleness(other, maxAge, unwrittenGrace);
      if (stale != null) {
        // Move the stale lease aside atomically: of two runs taking it over, one rename succeeds.
        Path aside = new Path(file.getParent(), "_stale-" + file.getName() + "-" + mine.getProperty("run"));
        if (fs.rename(file, aside)) {
          Properties moved = read(fs, aside);
          if (moved != null && !sameHolder(moved, other)) {
            // Another run took the stale lease over and made its own between our read and our rename: give it back.
            fs.rename(aside, file);
          } else {
            LOG.warn("Took over the lease on {} {} from {}: {}", dataset.name(), day, describe(other), stale);
          }
          fs.delete(aside, false);
        }
        continue;
      }
      if (System.currentTimeMillis() >= deadline) {
        throw new JobFailedException(dataset.name() + " " + day + " is being published by another run ("
            + describe(other) + "); wait for it, or set " + WAIT_SECONDS_KEY + " to wait");
      }
      LOG.info("Waiting for {} {}, held by {}", dataset.name(), day, describe(other));
      sleep();
    }
  }

  /** Gives the lease back, if it is still this run's. */
  @Override
  public void close() throws IOException {
    if (released) {
      return;
    }
    released = true;
    Properties current = read(fs, file);
    if (current != null && runId.equals(current.getProperty("run"))) {
      fs.delete(file, false);
    }
  }

  private static boolean tryCreate(FileSystem fs, Path file, Properties holder) throws IOException {
    try (OutputStream out = fs.create(file, false)) {
      holder.store(out, "nightjar lease");
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      // HDFS reports a lost create race as a RemoteException wrapping FileAlreadyExistsException, and a lease file
      // whose creator died before closing it (kill -9 mid-create, found by the soak run) as AlreadyBeingCreated
      // until the NameNode recovers it: both are a lease file that exists, read (naming no holder) as such.
      // (and RecoveryInProgressException once the NameNode recovers it after the soft limit).
      if (fs.exists(file) && (e instanceof RemoteException || String.valueOf(e.getMessage()).contains("already "
          + "exists"))) {
        return false;
      }
      throw e;
    }
  }

  /**
   * The holder named in the lease file, or null if there is none. A lease naming no holder (being written: HDFS shows
   * its bytes only once it is closed; or left empty, half written or unreadable by a run that died) reads as a holder
   * that started when the file was last modified, marked {@value #UNWRITTEN}.
   */
  private static Properties read(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      Properties properties = new Properties();
      properties.load(new StringReader(bytes.toString(StandardCharsets.ISO_8859_1)));
      return isMillis(properties.getProperty("started")) ? properties : namingNoHolder(fs, file);
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      // Unreadable (a checksum error, HDFS's "Cannot obtain block length" on a file its writer left open): a lease
      // naming no holder, stale after the grace like an empty one.
      return namingNoHolder(fs, file);
    }
  }

  /** A lease file that names no holder, as a holder that started when it was last modified; null if it is gone. */
  private static Properties namingNoHolder(FileSystem fs, Path file) throws IOException {
    Properties properties = new Properties();
    properties.setProperty("run", "(a lease file naming no holder)");
    properties.setProperty(UNWRITTEN, "true");
    try {
      properties.setProperty("started", Long.toString(fs.getFileStatus(file).getModificationTime()));
    } catch (FileNotFoundException gone) {
      return null;
    }
    return properties;
  }

  private static boolean sameHolder(Properties a, Properties b) {
    return String.valueOf(a.getProperty("run")).equals(b.getProperty("run"))
        && String.valueOf(a.getProperty("started")).equals(b.getProperty("started"));
  }

  private static boolean isMillis(String value) {
    try {
      return value != null && Long.parseLong(value.trim()) >= 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Why the lease file {@code file} is stale (its run died: the day failed), or null while its holder may still be
   * running or when the file is gone; the thresholds come from {@code conf} as for {@link #acquire}.
   */
  public static String staleness(Configuration conf, FileSystem fs, Path file) throws IOException {
    Properties holder = read(fs, file);
    return holder == null ? null : staleness(holder, maxAge(conf), unwrittenGrace(conf));
  }

  private static Duration maxAge(Configuration conf) {
    return Duration.ofHours(conf.getLong(MAX_AGE_HOURS_KEY, DEFAULT_MAX_AGE_HOURS));
  }

  private static Duration unwrittenGrace(Configuration conf) {
    return Duration.ofSeconds(conf.getLong(UNWRITTEN_GRACE_SECONDS_KEY, DEFAULT_UNWRITTEN_GRACE_SECONDS));
  }

  /** Why the lease is stale, or null if its holder may still be running. */
  static String staleness(Properties holder, Duration maxAge, Duration unwrittenGrace) {
    long started = Long.parseLong(holder.getProperty("started", "0"));
    Duration age = Duration.between(Instant.ofEpochMilli(started), Instant.now());
    if (holder.getProperty(UNWRITTEN) != null) {
      return age.compareTo(unwrittenGrace) > 0 ? "it names no holder (empty, half written or unreadable) and was last "
          + "written " + age.toSeconds() + " s ago, longer than " + UNWRITTEN_GRACE_SECONDS_KEY + "="
          + unwrittenGrace.toSeconds() + ": its run died between creating and writing it" : null;
    }
    if (age.compareTo(maxAge) > 0) {
      return "older than " + maxAge.toHours() + " h (" + MAX_AGE_HOURS_KEY + ")";
    }
    if (localHost().equals(holder.getProperty("host")) && holder.getProperty("pid") != null
        && ProcessHandle.of(Long.parseLong(holder.getProperty("pid"))).map(p -> !p.isAlive()).orElse(true)) {
      return "its process " + holder.getProperty("pid") + " on this host has ended";
    }
    return null;
  }

  static Properties holder() throws IOException {
    Properties holder = new Properties();
    holder.setProperty("run", UUID.randomUUID().toString().substring(0, 8));
    holder.setProperty("host", localHost());
    holder.setProperty("user", UserGroupInformation.getCurrentUser().getShortUserName());
    holder.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
    holder.setProperty("started", Long.toString(System.currentTimeMillis()));
    String container = System.getenv("CONTAINER_ID");
    if (container != null) {
      // container_<cluster ts>_<app>_<attempt>_<n> or container_e<epoch>_<cluster ts>_<app>_<attempt>_<n>
      String[] parts = container.split("_");
      int offset = parts.length == 6 ? 1 : 0;
      if (parts.length >= 5) {
        holder.setProperty("application", "application_" + parts[1 + offset] + "_" + parts[2 + offset]);
      }
    }
    return holder;
  }

  static String describe(Properties holder) {
    StringBuilder text = new StringBuilder("run ").append(holder.getProperty("run"))
        .append(" of ").append(holder.getProperty("user", "?")).append('@').append(holder.getProperty("host", "?"))
        .append(" pid ").append(holder.getProperty("pid", "?"))
        .append(", started ").append(Instant.ofEpochMilli(Long.parseLong(holder.getProperty("started", "0"))));
    if (holder.getProperty("application") != null) {
      text.append(", ").append(holder.getProperty("application"));
    }
    return text.toString();
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void sleep() throws IOException {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a lease", e);
    }
  }
}
