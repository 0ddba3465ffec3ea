package io.nightjar.jobs.sensors.mapreduce;

import io.nightjar.jobs.sensors.ReadingParser;
import java.io.IOException;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;

/** The classic form's mapper for device text lines ({@code sensorId,timestamp,value}, comma or tab). */
public class SensorReadingMapper extends CheckedReadingMapper<LongWritable, Text> {

  @Override
  protected void map(LongWritable offset, Text line, Context context) throws IOException, InterruptedException {
    String text = line.toString();
    route(ReadingParser.parseLine(text, day), text, context);
  }
}
