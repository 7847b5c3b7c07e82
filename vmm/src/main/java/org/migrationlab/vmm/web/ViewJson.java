package org.migrationlab.vmm.web;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/** Writes view messages as JSON objects with their type first: {"type":"tick", ...}. */
public final class ViewJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ViewJson() {
    }

    public static String write(ViewMessage message) {
        String type = switch (message) {
            case ViewMessage.Hello h -> "hello";
            case ViewMessage.Tick t -> "tick";
            case ViewMessage.Ended e -> "ended";
        };
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = JSON.convertValue(message, Map.class);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", type);
        out.putAll(fields);
        return JSON.writeValueAsString(out);
    }
}
