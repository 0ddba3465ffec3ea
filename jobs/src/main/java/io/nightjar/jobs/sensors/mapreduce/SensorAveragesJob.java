package io.nightjar.jobs.sensors.mapreduce;

import io.nightjar.avro.Granularity;
import io.nightjar.avro.QuarantineRecord;
import io.nightjar.avro.SensorAggregate;
import io.nightjar.avro.SensorReading;
import io.nightjar.common.crunch.PipelineRuns;
import io.nightjar.common.crunch.ShuffleSettings;
import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.mapreduce.AvroJob;
import org.apache.avro.mapreduce.AvroKeyInputFormat;
import org.apache.avro.mapreduce.AvroKeyOutputFormat;
import org.apache.avro.mapreduce.AvroMultipleOutputs;
import org.apache.avro.specific.SpecificData;
import org.apache.crunch.PipelineResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;

/**
 * {@code sensor-averages --engine mapreduce}: the classic MapReduce form of one day's sensor averages, one job
 * (mapper per input format, {@link ReadingKey} secondary sort, {@link SensorFiguresReducer}), which removes duplicates
 * in the same shuffle as the aggregation. It writes the figures into the day's data staging folder and moves its
 * quarantine files into the quarantine staging folder; publishing and the record accounting stay with the caller
 * ({@code SensorAveragesTool}, through {@code DailyPublication}), which reads the job's counters as a
 * {@link PipelineResult} of one stage.
 */
public final class SensorAveragesJob {

  public static final String DAY_KEY = "nightjar.sensors.day";
  public static final String GRANULARITY_KEY = "nightjar.sensors.granularity";
  public static final String REMOVE_DUPLICATES_KEY = "nightjar.sensors.remove-duplicates";
  /** The named output of quarantine records, written by mappers and reducers. */
  static final String QUARANTINE = "quarantine";
  /** Where quarantine files go inside the job's output folder (hidden: never part of the published data). */
  static final String QUARANTINE_BASE = "_quarantine/part";

  private SensorAveragesJob() {
  }

  /** The configured job: input files (Avro {@code SensorReading}s or text lines) to figures in {@code output}. */
  public static Job create(Configuration conf, Path input, boolean avroInput, LocalDate day, Granularity granularity,
      boolean removeDuplicates, Path output) throws IOException {
    Job job = Job.getInstance(new Configuration(conf), "nightjar sensor-averages " + day + " (mapreduce)");
    job.setJarByClass(SensorAveragesJob.class);
    Configuration jobConf = job.getConfiguration();
    jobConf.set(DAY_KEY, day.toString());
    jobConf.set(GRANULARITY_KEY, granularity.name());
    jobConf.setBoolean(REMOVE_DUPLICATES_KEY, removeDuplicates);
    jobConf.setBoolean("mapreduce.fileoutputcommitter.marksuccessfuljobs", false); // Publication writes _SUCCESS
    AvroJob.setDataModelClass(job, SpecificData.class);
    FileInputFormat.addInputPath(job, input);
    if (avroInput) {
      job.setInputFormatClass(AvroKeyInputFormat.class);
      AvroJob.setInputKeySchema(job, SensorReading.getClassSchema());
      job.setMapperClass(AvroReadingMapper.class);
    } else {
      job.setInputFormatClass(TextInputFormat.class);
      job.setMapperClass(SensorReadingMapper.class);
    }
    job.setMapOutputKeyClass(ReadingKey.class);
    job.setMapOutputValueClass(ReadingStats.class);
    job.setSortComparatorClass(ReadingKey.SortComparator.class);
    job.setGroupingComparatorClass(ReadingKey.GroupingComparator.class);
    job.setPartitionerClass(ReadingKey.SensorPeriodPartitioner.class);
    if (!removeDuplicates) { // a key is a whole sensor-period: partials merge in the map task
      job.setCombinerClass(ReadingStatsCombiner.class);
    }
    job.setReducerClass(SensorFiguresReducer.class);
    job.setNumReduceTasks(reducers(jobConf, input));
    job.setOutputFormatClass(AvroKeyOutputFormat.class);
    AvroJob.setOutputKeySchema(job, SensorAggregate.getClassSchema());
    AvroMultipleOutputs.addNamedOutput(job, QUARANTINE, AvroKeyOutputFormat.class, QuarantineRecord.getClassSchema());
    FileOutputFormat.setOutputPath(job, output);
    return job;
  }

  /**
   * {@code mapreduce.job.reduces} when set, else one reduce task per {@code crunch.bytes.per.reduce.task} of input
   * (1 GB by default, 64 MB when duplicates are removed: {@link ShuffleSettings}), as Crunch sizes the other engine's shuffle: Hadoop's own default is a single reducer.
   */
  static int reducers(Configuration conf, Path input) throws IOException {
    if (ShuffleSettings.setOutsideDefaults(conf, "mapreduce.job.reduces")) {
      return conf.getInt("mapreduce.job.reduces", 1); // set by the user (-D, job.xml, mapred-site.xml)
    }
    long bytes = input.getFileSystem(conf).getContentSummary(input).getLength();
    long perTask = conf.getLong(ShuffleSettings.BYTES_PER_REDUCE_TASK, 1L << 30);
    return (int) Math.max(1, Math.min(1000, (bytes + perTask - 1) / perTask));
  }

  /**
   * Runs the job and, when it succeeded, moves its quarantine files from {@code output} into
   * {@code quarantineStaging}; returns its counters as a one-stage pipeline result (failed when the job failed).
   */
  public static PipelineResult run(Job job, Path quarantineStaging) throws IOException, InterruptedException {
    boolean succeeded;
    try {
      succeeded = job.waitForCompletion(true);
    } catch (ClassNotFoundException e) {
      throw new IOException(e);
    }
    if (succeeded) {
      Path output = FileOutputFormat.getOutputPath(job);
      FileSystem fs = output.getFileSystem(job.getConfiguration());
      Path parts = new Path(output, QUARANTINE_BASE).getParent();
      fs.mkdirs(quarantineStaging);
      if (fs.exists(parts)) {
        for (FileStatus part : fs.listStatus(parts)) {
          if (!fs.rename(part.getPath(), new Path(quarantineStaging, part.getPath().getName()))) {
            throw new IOException("could not move " + part.getPath() + " into " + quarantineStaging);
          }
        }
        fs.delete(parts, true);
      }
    }
    return PipelineRuns.ofJob(job, succeeded, List.of(FileInputFormat.getInputPaths(job)));
  }
}
