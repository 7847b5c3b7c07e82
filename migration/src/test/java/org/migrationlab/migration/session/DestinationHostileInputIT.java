package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migrationlab.migration.testing.SourceStreams.GUEST_PAGES;
import static org.migrationlab.migration.testing.SourceStreams.batch;
import static org.migrationlab.migration.testing.SourceStreams.concat;
import static org.migrationlab.migration.testing.SourceStreams.frames;
import static org.migrationlab.migration.testing.SourceStreams.guestStateFrame;
import static org.migrationlab.migration.testing.SourceStreams.header;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.migrationlab.emulator.port.DeviceState;
import org.migrationlab.emulator.port.GuestState;
import org.migrationlab.emulator.port.GuestStateCodec;
import org.migrationlab.emulator.port.PageBitmap;
import org.junit.jupiter.params.provider.MethodSource;
import org.migrationlab.migration.protocol.AbortReason;
import org.migrationlab.migration.protocol.MigrationMode;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.NoLeaks;
import org.migrationlab.migration.protocol.PageCodec;
import org.migrationlab.migration.protocol.ProtocolException;
import org.migrationlab.migration.protocol.RecordCodec;
import org.migrationlab.migration.protocol.SendReason;
import org.migrationlab.emulator.testing.HostileCpuStates;
import org.migrationlab.migration.testing.LoopbackDestination;
import org.migrationlab.migration.testing.LoopbackMigration;
import org.migrationlab.migration.testing.SourceStreams;
import org.migrationlab.migration.transport.TransportConfig;

/**
 * A real destination fed by a source played by hand over a loopback socket: after a valid handshake it
 * receives truncated, oversized and corrupted frames and records out of turn. Each must end the session
 * with the protocol error that names the problem (sent to the source as ABORT while the connection
 * stands), close the connection, and leave nothing behind: no leaked buffer, no vCPU thread, no hang.
 * {@link DestinationMutationIT} does the same with thousands of random mutations.
 */
@ExtendWith(NoLeaks.class)
@Timeout(60)
class DestinationHostileInputIT {
    /** How long a destination vCPU waits for a post-copy page the hand-played source never sends. */
    static final long REPLY_TIMEOUT_MILLIS = 300;
    static final long RECOVER_TIMEOUT_MILLIS = 200;
    static final long MAX_RAM_BYTES = 64L << 20;
    static final int WAIT_MILLIS = 10_000;

    /** One hostile stream, the reason the destination must give, a fragment of its message, and whether an ABORT can still reach the source. */
    record Hostile(String name, byte[] stream, AbortReason reason, String message, boolean abortSent) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Hostile> hostileInputs() {
        SourceStreams source = SourceStreams.get();
        List<byte[]> pre = source.precopyFrames();
        byte[] config = pre.get(0);
        byte[] pages = pre.get(1);
        byte[] beforeSwitchOver = concat(pre.toArray(byte[][]::new));
        List<byte[]> post = source.postcopyFrames();
        byte[] afterSwitchOver = concat(post.get(0), post.get(1), post.get(2));
        byte[] push = post.get(3);
        byte[] beforeGuestState = concat(pre.subList(0, pre.size() - 1).toArray(byte[][]::new));
        PageBitmap pagesOneAndTwo = new PageBitmap(GUEST_PAGES);
        pagesOneAndTwo.set(1);
        pagesOneAndTwo.set(2);
        PageBitmap pageZero = new PageBitmap(GUEST_PAGES);
        pageZero.set(0);
        byte[] allPending = new byte[(int) (GUEST_PAGES / 8)];
        Arrays.fill(allPending, (byte) 0xff);
        byte[] postcopyConfig = post.get(0);
        GuestState state = source.guestState();
        byte[] image = GuestStateCodec.encode(state);
        byte[] corruptState = image.clone();
        corruptState[20] ^= 1;
        byte[] futureFormat = image.clone();
        futureFormat[4] = 9; // format version 9, checksum fixed up below: only the version is wrong
        fixChecksum(futureFormat);
        List<DeviceState> truncatedDevices = new ArrayList<>(state.devices());
        DeviceState first = truncatedDevices.get(0);
        truncatedDevices.set(0, new DeviceState(first.deviceId(), first.version(), new byte[1]));
        GuestState truncatedDevice = new GuestState(state.cpu(), truncatedDevices, state.ballooned());
        GuestState smallerGuest = new GuestState(state.cpu(), state.devices(), new PageBitmap(GUEST_PAGES / 2));
        // The CPU state that made Unicorn read a descriptor from the unmapped null page and killed the JVM.
        GuestState segmentFault = new GuestState(HostileCpuStates.all(SourceStreams.RAM_BYTES).getFirst()
                .applyTo(state.cpu()), state.devices(), state.ballooned());

        byte[] corruptPage = batch(SendReason.PRECOPY_ROUND, new long[] {3}, new byte[][] {source.rawPage()},
                PageCodec.Compression.NONE);
        corruptPage[corruptPage.length - 100] ^= 0x10; // in the raw page's data: its CRC32C no longer matches
        byte[] flagged = frames(new MigrationRecord.RoundEnd(0, 0));
        flagged[2] = 2; // a flag no version defines
        byte[] nonAscii = source.guestConfig(MigrationMode.PRECOPY);
        nonAscii[RecordCodec.HEADER_BYTES + 8 + 8 + 1 + 1] = (byte) 0xc3; // the name, after ram, seed, mode, length
        byte[] nonePending = new byte[(int) (GUEST_PAGES / 8)];

        return Stream.of(
                // The decoder's own "stream ended inside a frame" comes after the channel's closing (Netty
                // fires channelInactive first), so the session names the closed connection.
                new Hostile("stream ends inside a frame header", concat(config, Arrays.copyOf(pages, 5)),
                        AbortReason.CONNECTION_LOST, "closed the BULK connection", false),
                new Hostile("stream ends inside a page batch", concat(config, Arrays.copyOf(pages, pages.length / 2)),
                        AbortReason.CONNECTION_LOST, "closed the BULK connection", false),
                new Hostile("frame body of 4 MiB + 1", concat(config, header(4, 0, RecordCodec.MAX_FRAME_BODY + 1L)),
                        AbortReason.MALFORMED, "exceeds the limit", true),
                new Hostile("frame body of 4 GiB - 1", concat(config, header(4, 0, 0xffffffffL)),
                        AbortReason.MALFORMED, "exceeds the limit", true),
                new Hostile("page whose data does not match its CRC", concat(config, corruptPage),
                        AbortReason.BAD_CRC, "CRC32C", true),
                new Hostile("page beyond the guest's RAM", concat(config, batch(SendReason.PRECOPY_ROUND,
                        new long[] {GUEST_PAGES}, new byte[][] {source.rawPage()}, PageCodec.Compression.NONE)),
                        AbortReason.BAD_PAGE, "beyond the guest's", true),
                new Hostile("page 0 with data", concat(config, batch(SendReason.PRECOPY_ROUND, new long[] {0},
                        new byte[][] {source.rawPage()}, PageCodec.Compression.NONE)), AbortReason.BAD_PAGE, "null guard", true),
                new Hostile("GUEST_STATE with a flipped bit", concat(config, frames(new MigrationRecord.GuestStateRecord(
                        corruptState))), AbortReason.MALFORMED, "checksum", true),
                new Hostile("GUEST_STATE of an unknown format version", concat(config, frames(
                        new MigrationRecord.GuestStateRecord(futureFormat))), AbortReason.MALFORMED, "format version 9", true),
                new Hostile("GUEST_STATE with GDTR limit 0xffff and FS 0x8", concat(postcopyConfig,
                        guestStateFrame(segmentFault), frames(new MigrationRecord.SwitchOver(MigrationMode.POSTCOPY,
                        GUEST_PAGES, allPending))), AbortReason.BAD_STATE, "CPU state: FS 0x8", true),
                new Hostile("GUEST_STATE with a truncated device state", concat(postcopyConfig,
                        guestStateFrame(truncatedDevice), frames(new MigrationRecord.SwitchOver(MigrationMode.POSTCOPY,
                        GUEST_PAGES, allPending))), AbortReason.BAD_STATE, "device state", true),
                new Hostile("unknown mandatory record", concat(config, header(0x42, 0, 0)),
                        AbortReason.UNKNOWN_RECORD, "0x0042", true),
                new Hostile("flags set", concat(config, flagged), AbortReason.MALFORMED, "flags", true),
                new Hostile("guest larger than the destination takes", frames(new MigrationRecord.GuestConfig(1L << 30, 5,
                        MigrationMode.PRECOPY, "wss", Map.of())), AbortReason.BAD_STATE, "limit", true),
                new Hostile("workload name not ASCII", nonAscii, AbortReason.MALFORMED, "", true),
                new Hostile("pages before GUEST_CONFIG", pages, AbortReason.UNEXPECTED_RECORD, "PAGE_BATCH", true),
                new Hostile("second GUEST_CONFIG", concat(config, config), AbortReason.UNEXPECTED_RECORD, "GUEST_CONFIG", true),
                new Hostile("HELLO after the handshake", concat(config, frames(new MigrationRecord.Hello(1,
                        MigrationRecord.Role.SOURCE, MigrationRecord.Channel.BULK, UUID.randomUUID(), new byte[16]))),
                        AbortReason.UNEXPECTED_RECORD, "HELLO", true),
                new Hostile("a destination's record from the source", concat(config, frames(new MigrationRecord.Complete(1))),
                        AbortReason.UNEXPECTED_RECORD, "COMPLETE", true),
                new Hostile("SWITCH_OVER without GUEST_STATE", concat(beforeGuestState, frames(new MigrationRecord.SwitchOver(
                        MigrationMode.PRECOPY, 0, nonePending))), AbortReason.BAD_STATE, "before GUEST_STATE", true),
                new Hostile("second GUEST_STATE", concat(beforeSwitchOver, guestStateFrame(state)),
                        AbortReason.UNEXPECTED_RECORD, "a second GUEST_STATE", true),
                new Hostile("GUEST_STATE of a guest of another size", concat(config, guestStateFrame(smallerGuest)),
                        AbortReason.MALFORMED, "balloon map of 512 pages for a guest of 1024", true),
                new Hostile("GUEST_STATE ballooning the null guard", concat(postcopyConfig,
                        guestStateFrame(source.guestState(pageZero)), frames(new MigrationRecord.SwitchOver(
                        MigrationMode.POSTCOPY, GUEST_PAGES - 1, pendingExcept(0b1)))),
                        AbortReason.BAD_PAGE, "null guard", true),
                new Hostile("GUEST_STATE whose balloon map disagrees with the balloon's device state", concat(postcopyConfig,
                        guestStateFrame(source.guestState(pagesOneAndTwo)), frames(new MigrationRecord.SwitchOver(
                        MigrationMode.POSTCOPY, GUEST_PAGES - 3, pendingExcept(0b111)))),
                        AbortReason.BAD_STATE, "holds 0 pages, the balloon map lists 2", true),
                new Hostile("page both ballooned and pending", concat(postcopyConfig,
                        guestStateFrame(source.guestState(pagesOneAndTwo)), frames(new MigrationRecord.SwitchOver(
                        MigrationMode.POSTCOPY, GUEST_PAGES, allPending))),
                        AbortReason.BAD_STATE, "both ballooned and pending", true),
                new Hostile("SWITCH_OVER before GUEST_STATE", concat(config, pages, frames(new MigrationRecord.SwitchOver(
                        MigrationMode.PRECOPY, 0, nonePending))), AbortReason.BAD_STATE, "before GUEST_STATE", true),
                new Hostile("pre-copy SWITCH_OVER with pages never sent", concat(beforeSwitchOver, frames(
                        new MigrationRecord.SwitchOver(MigrationMode.PRECOPY, 0, nonePending))),
                        AbortReason.BAD_STATE, "never arrived", true),
                new Hostile("SWITCH_OVER of another mode", concat(beforeSwitchOver, frames(new MigrationRecord.SwitchOver(
                        MigrationMode.HYBRID, 0, nonePending))), AbortReason.BAD_STATE, "SWITCH_OVER for HYBRID", true),
                new Hostile("post-copy page arriving twice", concat(afterSwitchOver, push, push),
                        AbortReason.BAD_PAGE, "arrived twice", true),
                new Hostile("source hangs up before the switch-over", beforeSwitchOver, AbortReason.CONNECTION_LOST,
                        "closed the BULK connection in state RECEIVING", false),
                // After the switch-over the session waits for a recovery (PROTOCOL §5.6), which never comes here.
                new Hostile("source hangs up after the switch-over", concat(afterSwitchOver, push),
                        AbortReason.TIMEOUT, "did not reconnect within " + RECOVER_TIMEOUT_MILLIS
                        + " ms of the link's loss (the source closed the BULK connection)", false));
    }

    /** Recomputes a guest-state image's trailing CRC32C after a deliberate edit. */
    private static void fixChecksum(byte[] image) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(image, 0, image.length - 4);
        java.nio.ByteBuffer.wrap(image, image.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt((int) crc.getValue());
    }

    /** A pending bitmap with every page pending except those whose bits are set in the first byte's {@code mask}. */
    private static byte[] pendingExcept(int mask) {
        byte[] bitmap = new byte[(int) (GUEST_PAGES / 8)];
        Arrays.fill(bitmap, (byte) 0xff);
        bitmap[0] = (byte) (0xff & ~mask);
        return bitmap;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileInputs")
    void hostileInputEndsSessionWithClearError(Hostile hostile) throws Exception {
        LoopbackDestination.SourceEnding ending;
        try (LoopbackDestination destination = new LoopbackDestination(TransportConfig.of(LoopbackMigration.SECRET), 4,
                MAX_RAM_BYTES, REPLY_TIMEOUT_MILLIS, RECOVER_TIMEOUT_MILLIS)) {
            ending = destination.playSource(UUID.randomUUID(), hostile.stream(), WAIT_MILLIS);
        }
        assertThat(ending.problems()).isEmpty();
        assertThat(ending.failure()).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(hostile.reason())).hasMessageContaining(hostile.message());
        if (hostile.abortSent()) {
            assertThat(ending.wire().abort()).as("ABORT sent to the source").isNotNull();
            assertThat(ending.wire().abort().reason()).isEqualTo(hostile.reason());
        } else {
            assertThat(ending.wire().abort()).as("ABORT on a connection the source closed").isNull();
        }
        assertThat(LoopbackDestination.vcpuThreadsLeftAfter(WAIT_MILLIS)).as("destination vCPU threads left").isEmpty();
    }
}
