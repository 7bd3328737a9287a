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

  /**
   * Builds the mapper's serializer and deserializer of {@link Manifest} now (Jackson's
   * introspection of the records, their annotations and the java.time types: 0.1-0.3 s of a fresh
   * JVM's CPU), so that a command can have it done on an idle core while it starts instead of at
   * its first manifest. Thread-safe, and a no-op once done.
   */
  public static void warmUp() {
    // an ObjectWriter/ObjectReader for a root type fetches its (de)serializer eagerly, into the
    // mapper's caches that toJson and fromJson use
    var writer = MAPPER.writerFor(Manifest.class);
    var reader = MAPPER.readerFor(Manifest.class);
    if (writer == null || reader == null) {
      throw new IllegalStateException("no manifest codec");
    }
  }

  /** The mapper, configured alike, for commands that print manifests as JSON. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
