package io.nightjar.testkit.tracks;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Uploads a local folder to a bucket, key = path relative to the folder, 16 PUTs at a time. For seeding the loopback
 * S3 server in the demo, tests and benchmarks.
 */
public final class DocumentUploader {

  private DocumentUploader() {
  }

  /** Creates {@code bucket} if needed and uploads every file under {@code folder}; returns how many. */
  public static int upload(S3Client s3, String bucket, File folder) throws IOException {
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException e) {
      // fine
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder.toPath())) {
      files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> puts = files.stream().map(file -> pool.submit(() -> s3.putObject(
          PutObjectRequest.builder().bucket(bucket).key(folder.toPath().relativize(file).toString().replace('\\', '/'))
              .build(), RequestBody.fromFile(file)))).collect(Collectors.toList());
      for (Future<?> put : puts) {
        put.get();
      }
    } catch (Exception e) {
      throw new IOException("upload to " + bucket + " failed", e);
    } finally {
      pool.shutdownNow();
    }
    return files.size();
  }
}
