package org.migrationlab.migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

import net.jqwik.api.Example;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import org.migrationlab.migration.protocol.MigrationRecord.PageBatch;

/** The leak check the other tests rely on really catches leaks. */
@ExtendWith(NoLeaks.class)
@AddLifecycleHook(NoLeaks.class)
class LeakDetectionTest {

    /** jqwik hooks on a class reach its properties only with explicit propagation: prove it does. */
    @Example
    void propertiesRunInsideTheLeakCheck() {
        assertThat(NoLeaks.checkingCurrentProperty()).isTrue();
    }

    @Test
    void plainTestsAreCheckedByTheJUnitExtension() {
        assertThat(NoLeaks.checkingCurrentProperty()).isFalse();
    }

    @Test
    void everyBufferIsTrackedAndRecorded() {
        assertThat(ResourceLeakDetector.getLevel()).isNotEqualTo(ResourceLeakDetector.Level.DISABLED);
        assertThat(RecordingLeakDetector.installed()).isTrue();
        NoLeaks.requireActive();
    }

    /** A heap buffer, a direct buffer and a composite from the default allocator: each one is tracked. */
    @Test
    void everyKindOfBufferIsTracked() {
        long mark = RecordingLeakDetector.mark();
        ByteBufAllocator.DEFAULT.heapBuffer(8).release();
        ByteBufAllocator.DEFAULT.directBuffer(8).release();
        ByteBufAllocator.DEFAULT.compositeBuffer().release();
        assertThat(RecordingLeakDetector.mark() - mark).isEqualTo(3);
    }

    @Test
    void anUnreleasedBufferFailsTheCheck() {
        long mark = RecordingLeakDetector.mark();
        ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(64);
        try {
            assertThatThrownBy(() -> NoLeaks.assertNoLeaksSince(mark, "this test"))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("1 leaked buffer(s) in this test");
        } finally {
            leaked.release();
        }
        NoLeaks.assertNoLeaksSince(mark, "this test"); // each leak is reported once
    }

    @Test
    void aDecodedPageBatchThatIsNeverReleasedFailsTheCheck() {
        PageBatch sent = SampleRecords.mixedBatch(ByteBufAllocator.DEFAULT, new Random(1));
        byte[] bytes = Wire.encode(sent);
        sent.release();
        long mark = RecordingLeakDetector.mark();
        Wire.Decoding decoding = Wire.decode(bytes);
        try {
            assertThatThrownBy(() -> NoLeaks.assertNoLeaksSince(mark, "decoding"))
                    .hasMessageContaining("leaked buffer(s) in decoding");
        } finally {
            decoding.close();
        }
    }

    @Test
    void releasedBuffersPassTheCheck() {
        long mark = RecordingLeakDetector.mark();
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(16).writeLong(1);
        ByteBuf slice = buffer.retainedSlice();
        slice.release();
        buffer.release();
        NoLeaks.assertNoLeaksSince(mark, "this test");
    }
}
