package io.nightjar.jobs.tracks.s3import;

import io.nightjar.avro.ImportFailure;
import io.nightjar.avro.ImportOutcome;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.avro.TrackLocation;
import io.nightjar.common.crunch.AccountedDoFn;
import io.nightjar.common.crunch.NightjarTypes;
import io.nightjar.common.s3.S3Access;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.crunch.Emitter;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Downloads and parses the analysis document of each track, keeping up to {@code inFlight} GETs in flight per task:
 * a GET is latency-bound, so one thread per request, bounded, instead of one request at a time. The emitter and the
 * counters are only touched from the task's own thread; finished downloads are handed over through a queue.
 *
 * <p>The task holds at most {@value #HELD_PER_REQUEST} x {@code inFlight} tracks: in flight, waiting for a fetch
 * thread, or fetched and not yet written. A fetch thread that finishes a track finds the next one waiting, so requests
 * stay in flight while the task's thread writes (when each fetch thread waited for the task's thread to hand it the
 * next track, over a third of them sat idle: docs/sizing.md). Memory: up to that many documents, each about twice
 * its size once parsed (its bytes, then its record).
 *
 * <p>One GET per track (a 404 answers "does it exist"; a HEAD first would double the requests). Each track ends as
 * exactly one of: imported; quarantined (the document does not parse: {@link AnalysisDocuments}, or is larger than
 * {@code maxDocumentBytes}: never read whole); missing (404, not
 * retried); failed after retries. Retried, with exponential backoff and jitter (a random wait between half and all of the doubled wait): 500, 502, 503 (SlowDown), 504,
 * connection resets, timeouts, and bodies shorter than their Content-Length (never written as a record).
 * Other 4xx answers fail at once. Counters under {@value #S3_GROUP} count requests, retries and each fault.
 */
public final class FetchDocumentsFn extends AccountedDoFn<TrackLocation, ImportOutcome> {

  public static final String S3_GROUP = "nightjar.s3";
  public static final String MISSING = "MISSING";
  public static final String FAILED = "FAILED";
  /** Default largest document imported; larger ones are quarantined as {@code DOCUMENT_TOO_LARGE}. */
  public static final long DEFAULT_MAX_DOCUMENT_BYTES = 16L << 20;
  /** How much of a too-large document its quarantine record keeps. */
  static final int QUARANTINED_PREFIX_BYTES = 64 << 10;
  /** Tracks a task holds per request it keeps in flight. */
  static final int HELD_PER_REQUEST = 2;

  private final String bucket;
  private final String prefix;
  private final int inFlight;
  private final int maxAttempts;
  private final long backoffMillis;
  private final long maxBackoffMillis;
  private final long fetchedAt;
  private final long maxDocumentBytes;

  private transient S3Client client;
  /** Nanoseconds one attempt may take, body included ({@link S3Access#ATTEMPT_TIMEOUT_MS}). */
  private transient long attemptNanos;
  private transient ExecutorService pool;
  /** A permit per track held: waiting for a fetch thread, in flight, or fetched and not yet written. */
  private transient Semaphore held;
  private transient LinkedBlockingQueue<ImportOutcome> finished;
  /** What a fetch thread threw (fetch itself never throws: an Error), failing the task instead of losing a track. */
  private transient AtomicReference<Throwable> crashed;
  private transient Stats stats;

  /** Fault and request tallies from the download threads, moved into counters on the task thread. */
  private static final class Stats {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong throttled = new AtomicLong();
    final AtomicLong serverErrors = new AtomicLong();
    final AtomicLong ioErrors = new AtomicLong();
    final AtomicLong truncated = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
  }

  /**
   * @param fetchedAt the {@code fetchedAt} of every record imported (the import day's start), so a rerun writes the
   *     same records
   * @param maxDocumentBytes larger documents are quarantined ({@code DOCUMENT_TOO_LARGE}) after reading at most a
   *     prefix: refused from the Content-Length before the body is read, or once the body passes the limit
   */
  public FetchDocumentsFn(String bucket, String prefix, int inFlight, int maxAttempts, long backoffMillis,
      long maxBackoffMillis, long fetchedAt, long maxDocumentBytes) {
    this.bucket = bucket;
    this.prefix = prefix;
    this.inFlight = inFlight;
    this.maxAttempts = maxAttempts;
    this.backoffMillis = backoffMillis;
    this.maxBackoffMillis = maxBackoffMillis;
    this.fetchedAt = fetchedAt;
    this.maxDocumentBytes = maxDocumentBytes;
  }

  @Override
  public void initialize() {
    try {
      client = S3Access.client(getConfiguration(), inFlight);
      attemptNanos = getConfiguration().getLong(S3Access.ATTEMPT_TIMEOUT_MS, S3Access.DEFAULT_ATTEMPT_TIMEOUT_MS)
          * 1_000_000L;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    pool = Executors.newFixedThreadPool(inFlight, runnable -> {
      Thread thread = new Thread(runnable, "s3-fetch");
      thread.setDaemon(true);
      return thread;
    });
    held = new Semaphore(HELD_PER_REQUEST * inFlight);
    finished = new LinkedBlockingQueue<>();
    crashed = new AtomicReference<>();
    stats = new Stats();
  }

  @Override
  public void process(TrackLocation location, Emitter<ImportOutcome> emitter) {
    drain(emitter);
    TrackLocation copy = TrackLocation.newBuilder(location).build(); // the reader may reuse its record
    while (!held.tryAcquire()) {
      writeNext(emitter); // every track held is waiting, in flight or not yet written: write the next one fetched
    }
    pool.execute(() -> {
      try {
        finished.add(fetch(copy));
      } catch (Throwable e) {
        crashed.compareAndSet(null, e);
        held.release();
      }
    });
  }

  @Override
  protected void finish(Emitter<ImportOutcome> emitter) {
    drain(emitter);
    while (held.availablePermits() < HELD_PER_REQUEST * inFlight) {
      writeNext(emitter);
    }
    drain(emitter);
    pool.shutdownNow();
    client.close();
  }

  /** Writes the next track fetched, waiting for it up to a second (reporting progress). */
  private void writeNext(Emitter<ImportOutcome> emitter) {
    ImportOutcome outcome;
    try {
      outcome = finished.poll(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while downloads were in flight", e);
    }
    if (outcome != null) {
      write(outcome, emitter);
    }
    checkFetchThreads();
    progress();
  }

  /** Writes every track fetched so far, and moves the fetch threads' tallies into counters. */
  private void drain(Emitter<ImportOutcome> emitter) {
    checkFetchThreads();
    ImportOutcome outcome;
    while ((outcome = finished.poll()) != null) {
      write(outcome, emitter);
    }
    flush("requests", stats.requests);
    flush("retries", stats.retries);
    flush("throttled-503", stats.throttled);
    flush("server-errors-5xx", stats.serverErrors);
    flush("io-errors", stats.ioErrors);
    flush("truncated-bodies", stats.truncated);
    flush("bytes-downloaded", stats.bytes);
  }

  private void write(ImportOutcome outcome, Emitter<ImportOutcome> emitter) {
    if (outcome.getImported() != null) {
      countOut(1);
      countWritten(1);
    } else if (outcome.getFailure() != null) {
      countSkipped(outcome.getFailure().getReason(), 1);
    } else {
      countQuarantined(outcome.getQuarantined().getReason(), 1);
    }
    emitter.emit(outcome);
    held.release();
  }

  private void checkFetchThreads() {
    Throwable e = crashed.get();
    if (e != null) {
      throw new IllegalStateException("a fetch thread failed: " + e, e);
    }
  }

  private void flush(String counter, AtomicLong value) {
    long delta = value.getAndSet(0);
    if (delta > 0) {
      increment(S3_GROUP, counter, delta);
    }
  }

  /** One track, with retries; never throws. */
  ImportOutcome fetch(TrackLocation location) {
    String key = prefix + location.getS3Key();
    Integer status = null;
    String error = "";
    for (int attempt = 1; ; attempt++) {
      stats.requests.incrementAndGet();
      // The SDK's attempt timeout ends when the response headers arrive; the body is bounded here, so a server that
      // trickles it (a byte now and then, never long enough silent for the socket timeout) cannot hold a slot.
      long deadline = System.nanoTime() + attemptNanos;
      try (ResponseInputStream<GetObjectResponse> object =
               client.getObject(GetObjectRequest.builder().bucket(bucket).key(key).build())) {
        Long expected = object.response().contentLength();
        if (expected != null && expected > maxDocumentBytes) {
          byte[] prefix = readAtMost(object, QUARANTINED_PREFIX_BYTES, deadline, -1);
          object.abort(); // do not download the rest
          stats.bytes.addAndGet(prefix.length);
          return tooLarge(location, expected + " bytes (Content-Length)", prefix);
        }
        byte[] body;
        try {
          body = readAtMost(object, maxDocumentBytes + 1, deadline, expected != null ? expected : -1);
        } catch (SlowBodyException e) {
          object.abort(); // the connection is not reused
          throw e;
        }
        stats.bytes.addAndGet(body.length);
        if (body.length > maxDocumentBytes) { // no or a wrong Content-Length: bounded all the same
          object.abort();
          return tooLarge(location, "more than " + maxDocumentBytes + " bytes",
              Arrays.copyOf(body, Math.min(body.length, QUARANTINED_PREFIX_BYTES)));
        }
        if (expected != null && body.length != expected) {
          stats.truncated.incrementAndGet();
          status = 200;
          error = "TruncatedBody: " + body.length + " of " + expected + " bytes";
        } else {
          return parsed(location, body);
        }
      } catch (NoSuchKeyException e) {
        return failure(location, MISSING, 404, "NoSuchKey", attempt);
      } catch (S3Exception e) {
        status = e.statusCode();
        error = (e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : e.getClass().getSimpleName())
            + ": " + e.getMessage();
        if (status == 503) {
          stats.throttled.incrementAndGet();
        } else if (status >= 500) {
          stats.serverErrors.incrementAndGet();
        } else {
          return failure(location, FAILED, status, error, attempt);
        }
      } catch (SdkClientException | IOException | UncheckedIOException e) {
        status = null;
        error = rootCause(e);
        if (error.contains("Premature end") || error.contains("Truncated")) {
          stats.truncated.incrementAndGet();
        } else {
          stats.ioErrors.incrementAndGet();
        }
      } catch (SdkException e) {
        return failure(location, FAILED, null, rootCause(e), attempt);
      }
      if (attempt >= maxAttempts) {
        return failure(location, FAILED, status, error, attempt);
      }
      stats.retries.incrementAndGet();
      sleep(attempt);
    }
  }

  private ImportOutcome parsed(TrackLocation location, byte[] body) {
    try {
      TrackAnalysis analysis = TrackAnalysis.newBuilder()
          .setTrackId(location.getTrackId())
          .setS3Key(location.getS3Key())
          .setFetchedAt(fetchedAt)
          .setDeleted(false)
          .setAnalysis(AnalysisDocuments.parse(location.getTrackId(), body))
          .build();
      return ImportOutcome.newBuilder().setImported(analysis).build();
    } catch (AnalysisDocuments.InvalidDocumentException e) {
      return ImportOutcome.newBuilder().setQuarantined(NightjarTypes.quarantine(e.reason(),
          location.getTrackId() + " (" + location.getS3Key() + "): " + e.getMessage(),
          new String(body, StandardCharsets.UTF_8), 1)).build(); // the whole text: the damage may be anywhere
    }
  }

  /** A document over the size limit: quarantined with the first {@value #QUARANTINED_PREFIX_BYTES} bytes. */
  private ImportOutcome tooLarge(TrackLocation location, String size, byte[] prefix) {
    return ImportOutcome.newBuilder().setQuarantined(NightjarTypes.quarantine(AnalysisDocuments.DOCUMENT_TOO_LARGE,
        location.getTrackId() + " (" + location.getS3Key() + "): " + size + ", over the limit of " + maxDocumentBytes
            + " bytes (--max-document-bytes); raw holds the first " + prefix.length + " bytes only",
        new String(prefix, StandardCharsets.UTF_8), 1)).build();
  }

  /** Up to {@code limit} bytes of {@code in} (fewer at its end); never reads further than that. */
  static byte[] readAtMost(InputStream in, long limit) throws IOException {
    return readAtMost(in, limit, Long.MAX_VALUE, -1);
  }

  /**
   * Up to {@code limit} bytes of {@code in}, or {@link SlowBodyException} once {@code System.nanoTime()} passes
   * {@code deadline} (checked after every read, so a read that blocks is bounded by the socket timeout). With its
   * {@code expectedLength} (the Content-Length; -1 unknown) a body is read into one array of that size, not copied.
   */
  static byte[] readAtMost(InputStream in, long limit, long deadline, long expectedLength) throws IOException {
    byte[] bytes = new byte[(int) Math.min(limit, expectedLength >= 0 ? expectedLength : 1 << 16)];
    int size = 0;
    long start = System.nanoTime();
    while (size < limit) {
      if (size == bytes.length) { // full: a byte more, or the end
        int next = in.read();
        if (next < 0) {
          break;
        }
        bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(1 << 16, 2L * bytes.length)));
        bytes[size++] = (byte) next;
        continue;
      }
      int read = in.read(bytes, size, bytes.length - size);
      if (read < 0) {
        break;
      }
      size += read;
      if (size < limit && deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0) {
        throw new SlowBodyException(size, (System.nanoTime() - start) / 1_000_000);
      }
    }
    return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
  }

  /** A body still arriving when its attempt's time is up. */
  static final class SlowBodyException extends IOException {
    SlowBodyException(long bytes, long millis) {
      super(bytes + " bytes of the body in " + millis + " ms, past " + S3Access.ATTEMPT_TIMEOUT_MS);
    }
  }

  private static ImportOutcome failure(TrackLocation location, String reason, Integer status, String error,
      int attempts) {
    return ImportOutcome.newBuilder().setFailure(ImportFailure.newBuilder()
        .setTrackId(location.getTrackId())
        .setS3Key(location.getS3Key())
        .setReason(reason)
        .setHttpStatus(status)
        .setError(error.length() > 500 ? error.substring(0, 500) : error)
        .setAttempts(attempts)
        .build()).build();
  }

  private void sleep(int attempt) {
    long cap = Math.min(maxBackoffMillis, backoffMillis << Math.min(20, attempt - 1));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1)); // exponential, with jitter
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
