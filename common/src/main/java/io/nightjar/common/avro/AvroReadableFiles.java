package io.nightjar.common.avro;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.file.CheckedDataFileReader;
import org.apache.avro.mapred.FsInput;
import org.apache.crunch.MapFn;
import org.apache.crunch.ReadableData;
import org.apache.crunch.SourceTarget;
import org.apache.crunch.types.avro.AvroMode;
import org.apache.crunch.types.avro.AvroType;
import org.apache.crunch.util.DistCache;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.filecache.DistributedCache;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.TaskInputOutputContext;

/**
 * The records of Avro files read whole by whichever task asks for them: Crunch's {@link ReadableData} for the small
 * side of a map-side join, which each map task loads into memory without a job to materialize it first (Crunch's
 * own readable data of a pipeline's collection needs one unless its source is readable, and nightjar's
 * {@link AvroBlocks} source is not). The files are listed once, in the client ({@link AvroFiles#matching}, as
 * {@link AvroInputCheck} lists them; none is an error), and shipped to the tasks through the distributed cache, as
 * Crunch ships its own readable data: each node fetches a file once, the job's submission gets the file system's
 * delegation token, and a file changed after submission fails the task's localization (or here, in a local run,
 * its length check). Each block is checked before Avro reads it ({@link CheckedDataFileReader}); records are read as
 * {@code type} from each file's writer schema, a new object each (the caller may keep them), streamed a file at a
 * time. Counts nothing: every task reads the same records, so a caller that counts them counts in one task. Use it
 * for data that fits in a task's heap with room to spare.
 */
public final class AvroReadableFiles<T> implements ReadableData<T> {
  private static final long serialVersionUID = 1L;

  private final List<String> files;
  private final List<Long> lengths;
  private final String readerSchema;
  private final boolean specific;
  private final MapFn<Object, T> inputFn;

  private AvroReadableFiles(List<String> files, List<Long> lengths, String readerSchema, boolean specific,
      MapFn<Object, T> inputFn) {
    this.files = files;
    this.lengths = lengths;
    this.readerSchema = readerSchema;
    this.specific = specific;
    this.inputFn = inputFn;
  }

  /**
   * The records of the Avro files {@code paths} stand for (files, folders or globs), as {@code type} (specific or
   * generic). Lists them now; fails when none is found or when two share a name (the distributed cache keeps names).
   */
  @SuppressWarnings("unchecked")
  public static <T> AvroReadableFiles<T> of(Configuration conf, List<Path> paths, AvroType<T> type)
      throws IOException {
    boolean specific = AvroBlocks.readsSpecific(type);
    List<String> files = new ArrayList<>();
    List<Long> lengths = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Path path : paths) {
      FileSystem fs = path.getFileSystem(conf);
      for (FileStatus file : AvroFiles.matching(fs, path)) {
        if (!names.add(file.getPath().getName())) {
          throw new IOException("two Avro files named " + file.getPath().getName() + " in " + paths
              + ": a task's copies are found by name");
        }
        files.add(fs.makeQualified(file.getPath()).toString());
        lengths.add(file.getLen());
      }
    }
    if (files.isEmpty()) {
      throw new IOException("no Avro files at " + paths);
    }
    return new AvroReadableFiles<>(files, lengths, type.getSchema().toString(), specific,
        (MapFn<Object, T>) type.getInputMapFn());
  }

  /** None: the files are inputs of the pipeline, not outputs of one of its jobs. */
  @Override
  public Set<SourceTarget<?>> getSourceTargets() {
    return Set.of();
  }

  /** Adds the files to the job's distributed cache. */
  @Override
  public void configure(Configuration conf) {
    for (String file : files) {
      DistCache.addCacheFile(new Path(file), conf);
    }
    inputFn.configure(conf);
  }

  /** The records, from the task's local copies of the files. */
  @Override
  public Iterable<T> read(TaskInputOutputContext<?, ?, ?, ?> context) throws IOException {
    Configuration conf = context.getConfiguration();
    Path[] local = DistributedCache.getLocalCacheFiles(conf);
    List<Path> copies = new ArrayList<>();
    for (String file : files) {
      String name = new Path(file).getName();
      Path copy = null;
      for (Path candidate : local == null ? new Path[0] : local) {
        if (candidate.getName().equals(name)) {
          copy = candidate;
        }
      }
      if (copy == null) {
        throw new IOException(file + " is not in the task's distributed cache");
      }
      copies.add(copy.makeQualified(FileSystem.getLocal(conf)));
    }
    return records(conf, copies, context);
  }

  /** The records, read from the files themselves with {@code conf} (outside a task: a client or a test). */
  public Iterable<T> read(Configuration conf) {
    List<Path> paths = new ArrayList<>();
    files.forEach(file -> paths.add(new Path(file)));
    return records(conf, paths, null);
  }

  private Iterable<T> records(Configuration conf, List<Path> paths, TaskInputOutputContext<?, ?, ?, ?> context) {
    if (context != null) {
      inputFn.setContext(context);
    }
    inputFn.initialize();
    Schema expected = new Schema.Parser().parse(readerSchema);
    AvroMode mode = AvroBlocks.mode(specific, conf);
    return () -> new Iterator<T>() {
      private int next;
      private CheckedDataFileReader<Object> reader;

      @Override
      public boolean hasNext() {
        try {
          while (reader == null || !reader.hasNext()) {
            if (reader != null) {
              reader.close();
              reader = null;
            }
            if (next == paths.size()) {
              return false;
            }
            reader = open(paths.get(next), files.get(next), lengths.get(next));
            next++;
          }
          return true;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        try {
          return inputFn.map(reader.next(null));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      private CheckedDataFileReader<Object> open(Path path, String name, long length) throws IOException {
        FsInput in = new FsInput(path, conf);
        long actual = in.length();
        if (actual != length) {
          in.close();
          throw new IOException(name + " is " + actual + " bytes, not the " + length + " it was when the job was "
              + "planned: it changed");
        }
        return new CheckedDataFileReader<>(in, mode.getReader(expected), name);
      }
    };
  }
}
