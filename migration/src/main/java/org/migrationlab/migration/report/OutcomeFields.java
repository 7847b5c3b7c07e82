package org.migrationlab.migration.report;

import java.util.Locale;

import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * A {@link GuestOutcome} as the keys it adds to the report that holds it (the run and the destination
 * reports unwrap it): {@code outcome}, {@code status}, {@code result} (an exact hex string),
 * {@code result-decimal}, {@code crash} and {@code error}, every one present, null where it does not
 * apply. A serializer rather than annotations because the three outcomes share one flat set of keys.
 */
final class OutcomeFields extends StdSerializer<GuestOutcome> {

    OutcomeFields() {
        super(GuestOutcome.class);
    }

    /** Writes members into the enclosing object, never an object of its own. */
    @Override
    public boolean isUnwrappingSerializer() {
        return true;
    }

    @Override
    public void serialize(GuestOutcome outcome, JsonGenerator json, SerializationContext context) {
        json.writeStringProperty("outcome", outcome.word());
        switch (outcome) {
            case GuestOutcome.Halted halted -> {
                json.writeNumberProperty("status", halted.status());
                json.writeStringProperty("result", hex64(halted.result()));
                json.writeStringProperty("result-decimal", Long.toUnsignedString(halted.result()));
                json.writeNullProperty("crash");
                json.writeNullProperty("error");
            }
            case GuestOutcome.Crashed crashed -> {
                noResult(json);
                json.writeObjectPropertyStart("crash");
                json.writeStringProperty("kind", crashed.kind());
                json.writeStringProperty("rip", hex64(crashed.rip()));
                json.writeStringProperty("address", crashed.address() < 0 ? null : hex64(crashed.address()));
                json.writeStringProperty("message", crashed.message());
                json.writeEndObject();
                json.writeNullProperty("error");
            }
            case GuestOutcome.Failed failed -> {
                noResult(json);
                json.writeNullProperty("crash");
                json.writeStringProperty("error", failed.message());
            }
        }
    }

    private static void noResult(JsonGenerator json) {
        json.writeNullProperty("status");
        json.writeNullProperty("result");
        json.writeNullProperty("result-decimal");
    }

    /** 0xdeadbeef → "0x00000000deadbeef": every 64-bit value exact, in any JSON reader. */
    private static String hex64(long value) {
        return String.format(Locale.ROOT, "0x%016x", value);
    }
}
