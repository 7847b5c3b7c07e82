package org.migrationlab.migration.report;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * How the reports spell fractional numbers. A whole double is written without a fraction ({@code 12},
 * not {@code 12.0}), any other finite double as Java prints it, and NaN or an infinity (an unknown
 * rate, a ratio of nothing) as {@code null}, which reads back as NaN.
 */
final class JsonNumbers {
    private JsonNumbers() {
    }

    /** Every double of a report. */
    static final class WholeOrFraction extends StdSerializer<Double> {
        WholeOrFraction() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator json, SerializationContext context) {
            write(value, json);
        }

        static void write(double value, JsonGenerator json) {
            if (!Double.isFinite(value)) {
                json.writeNull();
            } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
                json.writeNumber((long) value);
            } else {
                json.writeNumber(value);
            }
        }
    }

    /** A rate rounded to a tenth: a unit per second more precise would be noise. */
    static final class Tenths extends StdSerializer<Double> {
        Tenths() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator json, SerializationContext context) {
            WholeOrFraction.write(Double.isFinite(value) ? Math.round(value * 10) / 10.0 : value, json);
        }
    }

    /** Reads what {@link WholeOrFraction} wrote: any number, and null as NaN. */
    static final class NullAsNaN extends StdDeserializer<Double> {
        NullAsNaN() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser json, DeserializationContext context) {
            if (json.currentToken().isNumeric()) {
                return json.getDoubleValue();
            }
            return (Double) context.handleUnexpectedToken(Double.class, json);
        }

        @Override
        public Double getNullValue(DeserializationContext context) {
            return Double.NaN;
        }
    }
}
