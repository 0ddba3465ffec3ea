package io.nightjar.common.avro;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.CheckedDataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.mapred.FsInput;
import org.apache.crunch.DoFn;
import org.apache.crunch.Emitter;
import org.apache.crunch.MapFn;
import org.apache.crunch.PCollection;
import org.apache.crunch.Pipeline;
import org.apache.crunch.impl.mr.run.RuntimeParameters;
import org.apache.crunch.io.FormatBundle;
import org.apache.crunch.io.impl.FileSourceImpl;
import org.apache.crunch.types.avro.AvroMode;
import org.apache.crunch.types.avro.AvroType;
import org.apache.crunch.types.writable.Writables;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.io.WritableUtils;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;

/**
 * Reads Avro data files into a Crunch pipeline a block at a time: the map task's reader hands over each decompressed
 * block (Avro's default: 64 kB of records), and a DoFn decodes its records. Crunch's own Avro source
 * ({@code From.avroFile}) hands the map task one record at a time, and Hadoop's map task does its bookkeeping per
 * record: two synchronized counter increments, a progress update that asks the file stream for its position, then
 * Crunch's record reader and input conversion ({@code MapTask$NewTrackingRecordReader.nextKeyValue} and what it calls:
 * about a quarter of a map task's samples reading 10,000,000 sensor readings of 13 bytes, see
 * {@code bench/PROFILE.md}). Use it for files of many small records; it costs nothing for files of large ones.
 *
 * <p>Splits are Avro's: a split reads the blocks that start after its first sync marker, up to the first sync marker
 * past its end, as Crunch's {@code AvroRecordReader} does; small files are combined into splits as with Crunch's Avro
 * source (up to {@code crunch.combine.file.block.size}, else the HDFS block size). Records are read as
 * {@link AvroType} {@code type} from each file's writer schema (Avro's schema resolution), specific or generic as the
 * type says (reflect types are refused), with the data model factory the job configures
 * ({@code crunch.specificfactory}), then through the type's own input conversion. As with Crunch's Avro source, the
 * record object is reused for the next record of the task: a DoFn that keeps records across calls must copy them.
 * A flat record written in the reader's own schema is decoded without Avro's resolving decoder
 * ({@link FlatRecordReader}: the same values).
 * Each block's record count and size are checked against the file before the block is read
 * ({@link CheckedDataFileReader}): a damaged block fails the task with a message naming the file and the byte.
 */
public final class AvroBlocks {

  /** Counter group and name of the records decoded from Avro blocks. */
  public static final String COUNTER_GROUP = "nightjar.avro";
  public static final String RECORDS_COUNTER = "records read";

  private AvroBlocks() {
  }

  /** The records of the Avro files {@code paths} (files or folders), read a block at a time. */
  public static <T> PCollection<T> read(Pipeline pipeline, List<Path> paths, AvroType<T> type) {
    PCollection<Block> blocks = pipeline.read(source(paths));
    return blocks.parallelDo("decode " + type.getSchema().getName(), new DecodeFn<>(type), type);
  }

  /**
   * Whether {@code type}'s records are read as specific records (else generic); reflect types are refused (Crunch's
   * Avro source configures reflect readers per input, {@code crunch.reflectdatafactory}; nightjar reads none).
   */
  static boolean readsSpecific(AvroType<?> type) {
    AvroMode mode = AvroMode.fromType(type);
    if (!mode.equals(AvroMode.SPECIFIC) && !mode.equals(AvroMode.GENERIC)) {
      throw new IllegalArgumentException("Avro files are read as specific or generic records, not " + type);
    }
    return mode.equals(AvroMode.SPECIFIC);
  }

  /** The data model that reads specific or generic records, with the factory {@code conf} configures. */
  static AvroMode mode(boolean specific, Configuration conf) {
    return (specific ? AvroMode.SPECIFIC : AvroMode.GENERIC).withFactoryFromConfiguration(conf);
  }

  /** The blocks of the Avro files {@code paths}; small files are combined into splits as Crunch's Avro source does. */
  static FileSourceImpl<Block> source(List<Path> paths) {
    FormatBundle<AvroBlockInputFormat> format = FormatBundle.forInput(AvroBlockInputFormat.class)
        .set(RuntimeParameters.DISABLE_COMBINE_FILE, "false"); // as AvroFileSource sets it
    return new FileSourceImpl<>(paths, Writables.writables(Block.class), format);
  }

  /** One block of an Avro data file: its record count and its records' bytes (decompressed), in its writer schema. */
  public static final class Block implements Writable {
    private Schema schema;
    private String schemaJson;
    private long count;
    private ByteBuffer data;

    public Block() {
    }

    void set(Schema schema, long count, ByteBuffer data) {
      this.schema = schema;
      this.count = count;
      this.data = data;
    }

    public Schema schema() {
      return schema;
    }

    public long count() {
      return count;
    }

    public ByteBuffer data() {
      return data;
    }

    @Override
    public void write(DataOutput out) throws IOException {
      Text.writeString(out, schema.toString());
      WritableUtils.writeVLong(out, count);
      WritableUtils.writeVInt(out, data.remaining());
      out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
    }

    @Override
    public void readFields(DataInput in) throws IOException {
      String json = Text.readString(in);
      if (schema == null || !json.equals(schemaJson)) { // one Schema object per file, as the reader hands out
        schema = new Schema.Parser().setValidate(false).parse(json);
        schemaJson = json;
      }
      count = WritableUtils.readVLong(in);
      byte[] bytes = new byte[WritableUtils.readVInt(in)];
      in.readFully(bytes);
      data = ByteBuffer.wrap(bytes);
    }
  }

  /** Avro data files as {@link Block}s (the values; keys are null). */
  public static final class AvroBlockInputFormat extends FileInputFormat<NullWritable, Block> {
    @Override
    public RecordReader<NullWritable, Block> createRecordReader(InputSplit split, TaskAttemptContext context) {
      return new BlockReader();
    }
  }

  /**
   * Avro's file reader with each block checked before it is read ({@link CheckedDataFileReader}), handing out whole
   * blocks: after {@code nextBlock()} it records where the next block starts, as reading a block's last record does
   * ({@code DataFileStream.next} calls {@code blockFinished}; {@code nextBlock} does not), so that {@code pastSync}
   * ends a split where Crunch's per-record reader ends it.
   */
  private static final class BlockFileReader extends CheckedDataFileReader<Object> {
    BlockFileReader(FsInput in, Path path) throws IOException {
      super(in, new GenericDatumReader<>(), path.toString());
    }

    ByteBuffer takeBlock() throws IOException {
      ByteBuffer data = nextBlock();
      blockFinished();
      return data;
    }
  }

  /** The blocks of one split, the one object reused for each. */
  static final class BlockReader extends RecordReader<NullWritable, Block> {
    private BlockFileReader reader;
    private final Block block = new Block();
    private long start;
    private long end;

    @Override
    public void initialize(InputSplit genericSplit, TaskAttemptContext context) throws IOException {
      FileSplit split = (FileSplit) genericSplit;
      reader = new BlockFileReader(new FsInput(split.getPath(), context.getConfiguration()), split.getPath());
      reader.sync(split.getStart());
      start = reader.tell();
      end = split.getStart() + split.getLength();
    }

    @Override
    public boolean nextKeyValue() throws IOException {
      if (!reader.hasNext() || reader.pastSync(end)) {
        return false;
      }
      long count = reader.getBlockCount();
      block.set(reader.getSchema(), count, reader.takeBlock());
      return true;
    }

    @Override
    public NullWritable getCurrentKey() {
      return NullWritable.get();
    }

    @Override
    public Block getCurrentValue() {
      return block;
    }

    @Override
    public float getProgress() throws IOException {
      return end == start ? 0.0f : Math.min(1.0f, (reader.tell() - start) / (float) (end - start));
    }

    @Override
    public void close() throws IOException {
      if (reader != null) {
        reader.close();
        reader = null;
      }
    }
  }

  /**
   * Decodes each block's records as {@code type}; a block whose bytes do not hold exactly its count fails the task.
   * Counts the records in {@value #COUNTER_GROUP}/{@value #RECORDS_COUNTER}, once per block (Hadoop's
   * {@code Map input records} counts blocks here).
   */
  static final class DecodeFn<T> extends DoFn<Block, T> {
    private final String readerSchema;
    private final boolean specific;
    private final MapFn<Object, T> inputFn;
    private transient Schema expected;
    private transient AvroMode avroMode;
    private transient Schema writer;
    private transient DatumReader<Object> datumReader;
    private transient BinaryDecoder decoder;
    private transient Object reuse;

    @SuppressWarnings("unchecked")
    DecodeFn(AvroType<T> type) {
      this.specific = readsSpecific(type);
      this.readerSchema = type.getSchema().toString();
      this.inputFn = (MapFn<Object, T>) type.getInputMapFn();
    }

    @Override
    public void configure(Configuration conf) {
      inputFn.configure(conf);
    }

    @Override
    public void initialize() {
      expected = new Schema.Parser().parse(readerSchema);
      avroMode = mode(specific, getConfiguration());
      writer = null;
      reuse = null;
      if (getContext() != null) {
        inputFn.setContext(getContext());
      }
      inputFn.initialize();
    }

    @Override
    public void process(Block block, Emitter<T> emitter) {
      if (block.schema() != writer) {
        writer = block.schema();
        datumReader = avroMode.getReader(expected);
        // Only in place of Avro's own readers: a factory's reader of its own (crunch.specificfactory) is left be.
        DatumReader<Object> flat = datumReader.getClass() == SpecificDatumReader.class
            || datumReader.getClass() == GenericDatumReader.class
            ? FlatRecordReader.of(writer, expected, ((GenericDatumReader<Object>) datumReader).getData()) : null;
        if (flat != null) {
          datumReader = flat;
        } else {
          datumReader.setSchema(writer);
        }
      }
      increment(COUNTER_GROUP, RECORDS_COUNTER, block.count());
      ByteBuffer data = block.data();
      decoder = DecoderFactory.get().binaryDecoder(data.array(), data.arrayOffset() + data.position(),
          data.remaining(), decoder);
      try {
        for (long i = 0; i < block.count(); i++) {
          reuse = datumReader.read(reuse, decoder);
          emitter.emit(inputFn.map(reuse)); // the type's own conversion (identity for specific and generic records)
        }
        if (!decoder.isEnd()) {
          throw new IOException("Avro block holds more bytes than its " + block.count() + " records: the data may be "
              + "corrupt");
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot decode an Avro block of " + block.count() + " records", e);
      }
    }
  }
}
