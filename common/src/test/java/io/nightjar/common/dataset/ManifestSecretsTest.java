package io.nightjar.common.dataset;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import io.nightjar.common.s3.S3Access;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.Test;

/** No secret reaches a manifest: not in an argument, in either form, nor in a setting or a URI's user information. */
public class ManifestSecretsTest {

  @Test
  @SuppressWarnings("unchecked")
  public void secretsAreHiddenInArgumentsSettingsAndPaths() throws Exception {
    Configuration conf = new Configuration(false);
    Manifest.setArguments(conf, "--date", "2016-05-01", "--secret-key", "abc123", "--password=hunter2",
        "--input", "s3a://me:pw@bucket/x");
    conf.set(S3Access.SECRET_KEY, "s3cr3t");
    conf.set(S3Access.ACCESS_KEY, "AKIA0000");
    conf.set(S3Access.ENDPOINT, "https://user:pass@s3.example.com");
    conf.set(RecordAccounting.MAX_QUARANTINE_FRACTION_KEY, "0.1");

    Map<String, Object> fields = Manifest.of(conf, new Path("hdfs://nn/data/p/d/2016-05-01"), "p/d",
        LocalDate.parse("2016-05-01"), "data").fields();
    assertEquals(List.of("--date", "2016-05-01", "--secret-key", "(hidden)", "--password=(hidden)", "--input",
        "s3a://(hidden)@bucket/x"), fields.get("arguments"));
    Map<String, String> settings = (Map<String, String>) fields.get("settings");
    assertEquals(Map.of(S3Access.ENDPOINT, "https://(hidden)@s3.example.com",
        RecordAccounting.MAX_QUARANTINE_FRACTION_KEY, "0.1"), settings);
    String json = Manifest.of(conf, new Path("/x"), "p/d", LocalDate.parse("2016-05-01"), "data").toJson();
    for (String secret : new String[] {"abc123", "hunter2", "s3cr3t", "AKIA0000", "pass@", "pw@"}) {
      assertFalse(secret + " in " + json, json.contains(secret));
    }
  }
}
