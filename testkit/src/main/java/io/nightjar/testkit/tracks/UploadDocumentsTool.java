package io.nightjar.testkit.tracks;

import io.nightjar.common.s3.S3Access;
import io.nightjar.common.tool.NightjarTool.Plan;
import io.nightjar.common.tool.NightjarTool;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code upload-documents}: puts a local folder of analysis documents into a bucket (key = path under the folder, 16
 * PUTs at a time), to seed the loopback S3 server or a test bucket with the same S3 settings s3-import uses.
 */
@Command(name = "upload-documents", sortOptions = false,
    description = "Upload a local folder of documents to an S3 bucket (key = path under the folder).")
public final class UploadDocumentsTool extends NightjarTool<Plan> {

  @Option(names = "--from", required = true, paramLabel = "DIR", description = "Local folder to upload.")
  private File from;

  @Option(names = "--bucket", required = true, description = "Bucket to upload into (created if missing).")
  private String bucket;

  @Override
  protected Plan plan() throws IOException {
    LinkedHashMap<String, Object> plan = new LinkedHashMap<>();
    plan.put("from", from.getAbsolutePath());
    plan.put("to", "s3://" + bucket + " (" + S3Access.describe(getConf()) + ")");
    return Plan.of(plan);
  }

  @Override
  protected int execute(Plan plan) throws IOException {
    try (S3Client s3 = S3Access.client(getConf(), 16)) {
      int objects = DocumentUploader.upload(s3, bucket, from);
      out.printf("uploaded %d objects from %s to s3://%s%n", objects, from, bucket);
    }
    return 0;
  }

  @Override
  protected List<String> configurationKeys() {
    List<String> keys = new ArrayList<>(super.configurationKeys());
    keys.addAll(S3Access.CONFIGURATION_KEYS);
    return keys;
  }
}
