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

/** Reads the YAML configuration strictly: an unknown key or a value of the wrong shape is an error naming the key. */
public final class ConfigLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ConfigLoader() {}

  public static Config load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw RedisOpsException.usage("configuration file " + file + " does not exist; check --config");
    } catch (IOException e) {
      throw RedisOpsException.usage("unable to read configuration file " + file + ": " + e.getMessage());
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
      String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(String::valueOf)
          .sorted().collect(Collectors.joining(", "));
      throw RedisOpsException.usage(file + ": unknown key '" + key + "'" + (known.isEmpty() ? "" : "; known keys here: " + known));
    } catch (JsonMappingException e) {
      if (e.getCause() instanceof StreamReadException syntax) {
        // a syntax error met inside a section arrives wrapped, with the section as its path
        throw notYaml(file, syntax);
      }
      throw RedisOpsException.usage(file + ": bad value for key '" + path(e) + "': " + firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw notYaml(file, e);
    } catch (IOException e) {
      throw RedisOpsException.usage("unable to read configuration file " + file + ": " + e.getMessage());
    }
  }

  private static RedisOpsException notYaml(Path file, JsonProcessingException e) {
    return RedisOpsException.usage(file + ": not valid YAML at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
        + ": " + firstLine(e.getOriginalMessage()));
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
