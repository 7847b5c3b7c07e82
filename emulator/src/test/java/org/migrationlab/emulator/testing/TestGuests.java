package org.migrationlab.emulator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;

/**
 * The test-only guests written in assembly (src/test/asm/NAME.S, assembled by the module's build into
 * flat images under test-guests/), for tests that need a guest doing exactly one odd thing.
 */
public final class TestGuests {
    private TestGuests() {
    }

    /** The flat image assembled from src/test/asm/{@code name}.S. */
    public static GuestImage image(String name) {
        String resource = "/test-guests/" + name + ".bin";
        try (InputStream in = TestGuests.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing: build the emulator module with Maven");
            }
            return ImageLoader.load(name + ".bin", in.readAllBytes(), ImageFormat.FLAT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
