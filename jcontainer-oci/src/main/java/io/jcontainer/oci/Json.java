package io.jcontainer.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jcontainer.image.InvalidImageException;

import java.io.IOException;

/** One ObjectMapper, and parsing that turns malformed JSON into a typed error naming what it was. */
public final class Json {
    private Json() {
    }

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public static JsonNode parse(byte[] bytes, String what) {
        try {
            JsonNode n = MAPPER.readTree(bytes);
            if (n == null || !n.isObject()) throw new InvalidImageException(what + " is not a JSON object");
            return n;
        } catch (IOException e) {
            throw new InvalidImageException(what + " is not valid JSON: " + getOriginalMessage(e), e);
        }
    }

    public static byte[] bytes(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String getOriginalMessage(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }
}
