package io.nightjar.jobs.sensors.mapreduce;

import io.nightjar.avro.SensorReading;
import io.nightjar.jobs.sensors.ReadingParser;
import java.io.IOException;
import org.apache.avro.mapred.AvroKey;
import org.apache.hadoop.io.NullWritable;

/** The classic form's mapper for Avro {@code SensorReading} files. */
public class AvroReadingMapper extends CheckedReadingMapper<AvroKey<SensorReading>, NullWritable> {

  @Override
  protected void map(AvroKey<SensorReading> reading, NullWritable ignored, Context context)
      throws IOException, InterruptedException {
    route(ReadingParser.check(reading.datum(), day), reading.datum(), context);
  }
}
