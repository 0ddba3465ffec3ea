package io.nightjar.common.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.security.Credentials;
import org.apache.hadoop.security.UserGroupInformation;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * S3 clients from Hadoop configuration, the same code against real S3 and the loopback test server: endpoint
 * ({@value #ENDPOINT}, empty for AWS), region ({@value #REGION}), path-style access ({@value #PATH_STYLE}).
 *
 * <p>Credentials: {@value #ACCESS_KEY} and {@value #SECRET_KEY} are read with {@code Configuration.getPassword}, so a
 * Hadoop credential provider ({@code hadoop.security.credential.provider.path}, e.g. a JCEKS file on HDFS) keeps them
 * out of any file in clear; without them the SDK's default chain applies (environment, instance profile). Before a job
 * is submitted, {@link #shipCredentials} moves them from the configuration into the job's credentials (the binary
 * token file, not job.xml), where tasks find them. They are never logged, counted or put on a command line.
 *
 * <p>The SDK's own retries are off: callers retry with their own policy and count every attempt.
 */
public final class S3Access {

  public static final String ENDPOINT = "nightjar.s3.endpoint";
  public static final String REGION = "nightjar.s3.region";
  public static final String PATH_STYLE = "nightjar.s3.path-style-access";
  public static final String ACCESS_KEY = "nightjar.s3.access-key";
  public static final String SECRET_KEY = "nightjar.s3.secret-key";
  /** Per-attempt timeout in milliseconds. */
  public static final String ATTEMPT_TIMEOUT_MS = "nightjar.s3.attempt-timeout-ms";
  public static final long DEFAULT_ATTEMPT_TIMEOUT_MS = 30_000;

  /** The S3 keys, one "key (default): meaning" line each, for the --help of tools that talk to S3. */
  public static final List<String> CONFIGURATION_KEYS = List.of(
      ENDPOINT + " (empty: AWS): S3 endpoint, e.g. http://127.0.0.1:9000 for the loopback server",
      REGION + " (us-east-1): signing region",
      PATH_STYLE + " (false): bucket in the path, not the host name (true for S3Proxy, MinIO)",
      ACCESS_KEY + ", " + SECRET_KEY + ": static credentials, read with Configuration.getPassword: keep them in a "
          + "credential provider (hadoop.security.credential.provider.path), never on the command line; without "
          + "them the SDK's default chain applies",
      ATTEMPT_TIMEOUT_MS + " (30000): per-attempt timeout in milliseconds, the body's download included");

  private static final Text ACCESS_ALIAS = new Text(ACCESS_KEY);
  private static final Text SECRET_ALIAS = new Text(SECRET_KEY);

  private S3Access() {
  }

  /**
   * Moves static credentials, if configured, from {@code conf} into the current user's credentials, which Hadoop
   * ships with every job it submits, and removes them from {@code conf} so they are not written into job.xml.
   */
  public static void shipCredentials(Configuration conf) throws IOException {
    char[] access = conf.getPassword(ACCESS_KEY);
    char[] secret = conf.getPassword(SECRET_KEY);
    if (access != null && secret != null) {
      Credentials credentials = new Credentials();
      credentials.addSecretKey(ACCESS_ALIAS, new String(access).getBytes(StandardCharsets.UTF_8));
      credentials.addSecretKey(SECRET_ALIAS, new String(secret).getBytes(StandardCharsets.UTF_8));
      UserGroupInformation.getCurrentUser().addCredentials(credentials);
    }
    conf.unset(ACCESS_KEY);
    conf.unset(SECRET_KEY);
  }

  /** A client with a connection pool of {@code maxConnections}. */
  public static S3Client client(Configuration conf, int maxConnections) throws IOException {
    Duration attemptTimeout = Duration.ofMillis(conf.getLong(ATTEMPT_TIMEOUT_MS, DEFAULT_ATTEMPT_TIMEOUT_MS));
    software.amazon.awssdk.services.s3.S3ClientBuilder builder = S3Client.builder()
        .region(Region.of(conf.get(REGION, "us-east-1")))
        .credentialsProvider(credentials(conf))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(conf.getBoolean(PATH_STYLE, false))
            .build())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(DefaultRetryStrategy.doNotRetry())
            .apiCallAttemptTimeout(attemptTimeout)
            .build())
        .httpClientBuilder(Apache5HttpClient.builder()
            .maxConnections(maxConnections)
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(attemptTimeout));
    String endpoint = conf.get(ENDPOINT, "");
    if (!endpoint.isEmpty()) {
      builder.endpointOverride(URI.create(endpoint));
    }
    return builder.build();
  }

  /** Endpoint, region, path style and where credentials come from; never the credentials. */
  public static String describe(Configuration conf) throws IOException {
    String source = secretKeys() != null ? "job credentials"
        : conf.getPassword(ACCESS_KEY) != null ? "Hadoop configuration / credential provider" : "AWS default chain";
    return "endpoint " + conf.get(ENDPOINT, "(AWS)") + ", region " + conf.get(REGION, "us-east-1")
        + ", path-style " + conf.getBoolean(PATH_STYLE, false) + ", credentials from " + source;
  }

  private static AwsCredentialsProvider credentials(Configuration conf) throws IOException {
    String[] shipped = secretKeys();
    if (shipped != null) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(shipped[0], shipped[1]));
    }
    char[] access = conf.getPassword(ACCESS_KEY);
    char[] secret = conf.getPassword(SECRET_KEY);
    if (access != null && secret != null) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(new String(access), new String(secret)));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  private static String[] secretKeys() throws IOException {
    Credentials credentials = UserGroupInformation.getCurrentUser().getCredentials();
    byte[] access = credentials.getSecretKey(ACCESS_ALIAS);
    byte[] secret = credentials.getSecretKey(SECRET_ALIAS);
    return access == null || secret == null ? null
        : new String[] {new String(access, StandardCharsets.UTF_8), new String(secret, StandardCharsets.UTF_8)};
  }
}
