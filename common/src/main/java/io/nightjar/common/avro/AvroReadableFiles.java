package io.nightjar.common.avro;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.file.CheckedDataFileReader;
import org.apache.avro.mapred.FsInput;
import org.apache.crunch.MapFn;
import org.apache.crunch.ReadableData;
import org.apache.crunch.SourceTarget;
import org.apache.crunch.types.avro.AvroMode;
import org.apache.crunch.types.avro.AvroType;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.TaskInputOutputContext;

/**
 * The records of Avro files read whole by whichever task asks for them: Crunch's {@link ReadableData} for the small
 * side of a map-side join, which each map task loads into memory without a job to materialize it first (Crunch's
 * own readable data of a pipeline's collection needs one unless its source is readable, and nightjar's
 * {@link AvroBlocks} source is not). Reads the {@code .avro} files each path names ({@link AvroFiles#matching}, as
 * {@link AvroInputCheck} lists them), each block checked before Avro reads it ({@link CheckedDataFileReader}), as
 * {@code type} from each file's writer schema; every record is a new object, so the caller may keep them. Counts
 * nothing: every task reads the same records, so a caller that counts them counts in one task. Use it for data that
 * fits in a task's heap with room to spare (each task holds all of it).
 */
public final class AvroReadableFiles<T> implements ReadableData<T> {
  private static final long serialVersionUID = 1L;

  private final List<String> paths;
  private final String readerSchema;
  private final boolean specific;
  private final MapFn<Object, T> inputFn;

  private AvroReadableFiles(List<String> paths, String readerSchema, boolean specific, MapFn<Object, T> inputFn) {
    this.paths = paths;
    this.readerSchema = readerSchema;
    this.specific = specific;
    this.inputFn = inputFn;
  }

  /** The records of the Avro files {@code paths} (files, folders or globs) as {@code type} (specific or generic). */
  @SuppressWarnings("unchecked")
  public static <T> AvroReadableFiles<T> of(List<Path> paths, AvroType<T> type) {
    AvroMode mode = AvroMode.fromType(type);
    if (!mode.equals(AvroMode.SPECIFIC) && !mode.equals(AvroMode.GENERIC)) {
      throw new IllegalArgumentException("Avro files are read as specific or generic records, not " + type);
    }
    List<String> names = new ArrayList<>();
    paths.forEach(path -> names.add(path.toString()));
    return new AvroReadableFiles<>(names, type.getSchema().toString(), mode.equals(AvroMode.SPECIFIC),
        (MapFn<Object, T>) type.getInputMapFn());
  }

  /** None: the files are inputs of the pipeline, not outputs of one of its jobs. */
  @Override
  public Set<SourceTarget<?>> getSourceTargets() {
    return Set.of();
  }

  @Override
  public void configure(Configuration conf) {
    inputFn.configure(conf);
  }

  @Override
  public Iterable<T> read(TaskInputOutputContext<?, ?, ?, ?> context) throws IOException {
    return read(context.getConfiguration(), context);
  }

  /** The records, read with {@code conf} ({@code context} may be null outside a task). */
  public List<T> read(Configuration conf, TaskInputOutputContext<?, ?, ?, ?> context) throws IOException {
    if (context != null) {
      inputFn.setContext(context);
    }
    inputFn.initialize();
    Schema expected = new Schema.Parser().parse(readerSchema);
    AvroMode mode = (specific ? AvroMode.SPECIFIC : AvroMode.GENERIC).withFactoryFromConfiguration(conf);
    List<T> records = new ArrayList<>();
    for (String name : paths) {
      Path input = new Path(name);
      FileSystem fs = input.getFileSystem(conf);
      for (FileStatus file : AvroFiles.matching(fs, input)) {
        try (CheckedDataFileReader<Object> reader = new CheckedDataFileReader<>(
            new FsInput(file.getPath(), conf), mode.getReader(expected), file.getPath().toString())) {
          while (reader.hasNext()) {
            records.add(inputFn.map(reader.next(null)));
          }
        }
      }
    }
    return records;
  }
}
