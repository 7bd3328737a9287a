package io.redisops.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.redisops.error.RedisOpsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Reads the YAML configuration strictly: an unknown key or a value of the wrong shape is an error
 * naming the key.
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * What a key (with its path, {@code datasets[0].redis.uri}) looks like. Any other "key" is not
   * echoed: a file given to {@code -c} by mistake (a password file, /etc/shadow) must not have its
   * content printed, and a line such as {@code user:hash:...:} parses as a key.
   */
  private static final java.util.regex.Pattern LIKE_A_KEY =
      java.util.regex.Pattern.compile("[A-Za-z0-9_.\\[\\]-]{1,80}");

  private ConfigLoader() {}

  public static Config load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw RedisOpsException.usage(
          "configuration file " + file + " does not exist; check --config");
    } catch (IOException e) {
      throw RedisOpsException.usage(
          "unable to read configuration file " + file + ": " + e.getMessage());
    }
    if (text.isBlank()) {
      return Config.empty();
    }
    try (JsonParser parser = YAML.createParser(text)) {
      if (parser.nextToken() == null) {
        return Config.empty(); // only comments
      }
      Config c = YAML.readValue(parser, Config.class);
      c = c == null ? Config.empty() : c;
      NotYetSupported.check(c, file.toString());
      return c;
    } catch (UnrecognizedPropertyException e) {
      String key = path(e);
      String known =
          e.getKnownPropertyIds() == null
              ? ""
              : e.getKnownPropertyIds().stream()
                  .map(String::valueOf)
                  .sorted()
                  .collect(Collectors.joining(", "));
      throw RedisOpsException.usage(
          file
              + ": unknown key "
              + (LIKE_A_KEY.matcher(key).matches()
                  ? "'" + key + "'"
                  : "(not shown: it does not look like a configuration key; is this the"
                      + " configuration file?)")
              + (known.isEmpty() ? "" : "; known keys here: " + known));
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof StreamReadException syntax) {
        // a syntax error met inside a section arrives wrapped, with the section as its path
        throw notYaml(file, syntax);
      }
      if (path(e).isEmpty()) {
        // The whole document has the wrong shape (a list, a single value): Jackson would name Java
        // types.
        throw RedisOpsException.usage(
            file
                + ": the configuration must be a mapping of keys (datasets:, repository:,"
                + " offsite:, ...), not "
                + shape(e)
                + "; see docs/configuration.md");
      }
      throw RedisOpsException.usage(file + ": bad value for key '" + path(e) + "': " + readable(e));
    } catch (JsonProcessingException e) {
      throw notYaml(file, e);
    } catch (IOException e) {
      throw RedisOpsException.usage(
          "unable to read configuration file " + file + ": " + e.getMessage());
    }
  }

  private static RedisOpsException notYaml(Path file, JsonProcessingException e) {
    return RedisOpsException.usage(
        file
            + ": not valid YAML at line "
            + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
            + ": "
            + firstLine(e.getOriginalMessage()));
  }

  private static String shape(JsonMappingException e) {
    String m = String.valueOf(e.getOriginalMessage());
    return m.contains("Array value")
        ? "a list"
        : m.contains("String value") ? "a single value" : "this shape";
  }

  /** Jackson's first line without its Java type names ("io.redisops.config.Config$Repository"). */
  private static String readable(JsonMappingException e) {
    String m = firstLine(e.getOriginalMessage());
    if (m.startsWith("Cannot deserialize value of type")) {
      String from =
          m.contains("from Array value")
              ? "a list"
              : m.contains("from Object value")
                  ? "a mapping"
                  : m.contains("from String value") || m.contains("from String \"")
                      ? "a text"
                      : "a value of another shape";
      return "expected " + expected(m) + ", found " + from;
    }
    return m.replaceAll("`?(java\\.[a-z.]+\\.|io\\.redisops\\.[a-z.]+\\.)", "");
  }

  private static String expected(String m) {
    if (m.contains("java.util.List") || m.contains("java.util.ArrayList")) {
      return "a list";
    }
    if (m.contains("java.lang.String")) {
      return "a text";
    }
    if (m.contains("boolean") || m.contains("Boolean")) {
      return "true or false";
    }
    if (m.contains("int") || m.contains("Integer") || m.contains("long")) {
      return "a number";
    }
    return "a mapping of keys";
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
