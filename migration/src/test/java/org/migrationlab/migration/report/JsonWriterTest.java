package org.migrationlab.migration.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class JsonWriterTest {

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        assertThat(JsonWriter.quote("say \"hi\"\\")).isEqualTo("\"say \\\"hi\\\"\\\\\"");
        assertThat(JsonWriter.quote("a\nb\rc\td\be\ff")).isEqualTo("\"a\\nb\\rc\\td\\be\\ff\"");
        assertThat(JsonWriter.quote("\u0000\u0001\u001f\u007f")).isEqualTo("\"\\u0000\\u0001\\u001f\\u007f\"");
    }

    @Test
    void escapesLineSeparatorsAndUnpairedSurrogatesButKeepsPairs() {
        assertThat(JsonWriter.quote("\u2028\u2029")).isEqualTo("\"\\u2028\\u2029\"");
        assertThat(JsonWriter.quote("x\ud800y")).isEqualTo("\"x\\ud800y\"");
        assertThat(JsonWriter.quote("\udc00")).isEqualTo("\"\\udc00\"");
        assertThat(JsonWriter.quote("caf\u00e9 \ud83d\ude00")).isEqualTo("\"caf\u00e9 \ud83d\ude00\"");
    }

    @Property
    void everyStringSurvivesQuoting(@ForAll String text) {
        assertThat(JsonStrings.decode(JsonWriter.quote(text))).isEqualTo(text);
    }

    @Test
    void writesNestedObjectsAndArraysIndented() {
        String json = new JsonWriter().beginObject()
                .name("a").value(1)
                .name("b").beginArray().value("x").value(true).nullValue().endArray()
                .name("c").beginObject().endObject()
                .name("d").beginArray().endArray()
                .name("e").beginObject().name("f").value(2.5).endObject()
                .endObject().toJson();
        assertThat(json).isEqualTo("""
                {
                  "a": 1,
                  "b": [
                    "x",
                    true,
                    null
                  ],
                  "c": {},
                  "d": [],
                  "e": {
                    "f": 2.5
                  }
                }
                """);
    }

    @Test
    void writesNonFiniteDoublesAsNullAndWholeDoublesWithoutFraction() {
        String json = new JsonWriter().beginArray().value(Double.NaN).value(Double.POSITIVE_INFINITY).value(3.0)
                .value((String) null).endArray().toJson();
        assertThat(json).isEqualTo("[\n  null,\n  null,\n  3,\n  null\n]\n");
    }

    @Test
    void refusesMalformedDocuments() {
        assertThatThrownBy(() -> new JsonWriter().beginObject().value(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginArray().name("x")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginObject().name("x").endObject())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginObject().endArray()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().beginObject().toJson()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new JsonWriter().value(1).value(2)).isInstanceOf(IllegalStateException.class);
    }
}
