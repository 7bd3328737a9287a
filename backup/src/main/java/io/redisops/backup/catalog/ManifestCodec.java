package io.redisops.backup.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and writes {@link Manifest}s as JSON. Unknown fields are ignored so that newer manifests
 * stay readable.
 */
public final class ManifestCodec {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ManifestCodec() {}

  public static byte[] toJson(Manifest m) {
    try {
      return MAPPER.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException("manifest cannot be serialised", e);
    }
  }

  public static Manifest fromJson(InputStream in) throws IOException {
    return MAPPER.readValue(in, Manifest.class);
  }

  /** The mapper, configured alike, for commands that print manifests as JSON. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
