package io.nightjar.bench;

import io.nightjar.avro.AudioAnalysis;
import io.nightjar.avro.TrackAnalysis;
import io.nightjar.common.avro.AvroWriters;
import io.nightjar.jobs.tracks.s3import.AnalysisDocuments;
import io.nightjar.testkit.tracks.SyntheticAnalysis;
import io.nightjar.testkit.TrackDataOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Bytes per track of the JSON documents against the packed Avro (TrackAnalysis v2) with each codec, and the time to
 * parse, write and read them back; median of {@code --repeat} runs over the same seeded documents.
 */
@Command(name = "packed-size-bench", mixinStandardHelpOptions = true)
public final class PackedSizeBench implements Callable<Integer> {

  @Mixin
  private final TrackDataOptions data = new TrackDataOptions(300, 500);

  @Option(names = "--repeat", defaultValue = "3", description = "Runs of each row (default: ${DEFAULT-VALUE}).")
  private int repeat;


  public static void main(String[] args) {
    System.exit(new CommandLine(new PackedSizeBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Random random = new Random(42);
    List<byte[]> documents = new ArrayList<>();
    long jsonBytes = 0;
    for (int t = 0; t < data.tracks; t++) {
      byte[] json = SyntheticAnalysis.toJson(null, SyntheticAnalysis.generate(random, data.segments), random, false);
      documents.add(json);
      jsonBytes += json.length;
    }
    double[] parse = new double[repeat + 1]; // the first round warms the JIT up and is not counted
    List<TrackAnalysis> records = new ArrayList<>();
    for (int r = 0; r <= repeat; r++) {
      records.clear();
      long start = System.nanoTime();
      for (int t = 0; t < data.tracks; t++) {
        AudioAnalysis analysis = AnalysisDocuments.parse("track-" + t, documents.get(t));
        records.add(TrackAnalysis.newBuilder().setTrackId(String.format("track-%08d", t))
            .setS3Key("analysis/track-" + t + ".json").setFetchedAt(1462060800000L).setDeleted(false)
            .setAnalysis(analysis).build());
      }
      parse[r] = (System.nanoTime() - start) / 1e6 / data.tracks;
    }
    double[] parsed = Arrays.copyOfRange(parse, 1, repeat + 1); // the first run warms the JIT up
    System.out.printf("%n%,d documents of %d segments: JSON %,d bytes per track; parse %.2f ms per document "
        + "(median of %d; min %.2f; runs %s)%n", data.tracks, data.segments, jsonBytes / data.tracks,
        BenchSupport.median(parsed), repeat, BenchSupport.min(parsed), BenchSupport.runs(parsed, "%.2f"));
    System.out.printf("%-19s %14s %10s %14s %14s  %s%n", "codec", "bytes/track", "vs JSON", "write ms/track",
        "read ms/track", "medians; min and runs: write | read");
    // "+AvroWriters": written by the writer every nightjar tool installs (AvroWriters.Specific), else by Avro's own
    for (String row : new String[] {"snappy", "null", "null+AvroWriters", "snappy", "snappy+AvroWriters",
        "deflate-1", "deflate-6", "xz-1"}) {
      String codec = row.replace("+AvroWriters", "");
      DatumWriter<TrackAnalysis> datumWriter = row.endsWith("+AvroWriters")
          ? new AvroWriters.Specific().getWriter(TrackAnalysis.getClassSchema())
          : new SpecificDatumWriter<>(TrackAnalysis.class);
      double[] write = new double[repeat];
      double[] read = new double[repeat];
      long size = 0;
      for (int r = 0; r < repeat; r++) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long start = System.nanoTime();
        try (DataFileWriter<TrackAnalysis> writer = new DataFileWriter<>(datumWriter)) {
          writer.setCodec(codec(codec));
          writer.create(TrackAnalysis.getClassSchema(), out);
          for (TrackAnalysis record : records) {
            writer.append(record);
          }
        }
        write[r] = (System.nanoTime() - start) / 1e6 / data.tracks;
        size = out.size();
        start = System.nanoTime();
        int n = 0;
        try (DataFileStream<TrackAnalysis> in = new DataFileStream<>(new ByteArrayInputStream(out.toByteArray()),
            new SpecificDatumReader<>(TrackAnalysis.class))) {
          TrackAnalysis reuse = null;
          while (in.hasNext()) {
            reuse = in.next(reuse);
            n++;
          }
        }
        read[r] = (System.nanoTime() - start) / 1e6 / data.tracks;
        if (n != data.tracks) {
          throw new IllegalStateException("read " + n + " of " + data.tracks);
        }
      }
      System.out.printf("%-19s %,14d %10.2f %14.2f %14.2f  %.2f: %s | %.2f: %s%n", row, size / data.tracks,
          (double) size / jsonBytes, BenchSupport.median(write), BenchSupport.median(read), BenchSupport.min(write),
          BenchSupport.runs(write, "%.2f"), BenchSupport.min(read), BenchSupport.runs(read, "%.2f"));
    }
    return 0;
  }

  private static CodecFactory codec(String name) {
    if (name.startsWith("deflate-")) {
      return CodecFactory.deflateCodec(Integer.parseInt(name.substring(8)));
    }
    if (name.startsWith("xz-")) {
      return CodecFactory.xzCodec(Integer.parseInt(name.substring(3)));
    }
    return CodecFactory.fromString(name);
  }
}
