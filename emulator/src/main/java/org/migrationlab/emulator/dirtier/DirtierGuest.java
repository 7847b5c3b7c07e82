package org.migrationlab.emulator.dirtier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.FaultHandler;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;

/**
 * Drives the {@code dirtier} guest ({@code emulator/src/main/asm/dirtier.S}): each round the guest writes
 * exactly the pages the host listed, then reads that round's doorbell page, which the host keeps absent,
 * so the run returns to the caller with the guest stopped between rounds.
 *
 * <p>It exists because dirty logging, demand paging and fault handling are best measured and checked
 * with a guest whose every write the host chooses: the emulator's tests prove with it that the dirty
 * log sees exactly the pages written, and the benchmarks time fault and logging costs with it. It is
 * main code (not a test fixture) so that both can use it.
 */
public final class DirtierGuest implements AutoCloseable {
    public static final long COMMAND_GPA = 0x200000;
    public static final long FIRST_DOORBELL_PAGE = 0x300;
    /** The first page a round may ask the guest to write (below: code, command block, doorbells). */
    public static final long FIRST_WRITABLE_PAGE = 0x400;
    private static final int MAX_PAGES_PER_ROUND = (0x100000 - 8) / 8;
    /** The flat image on the class path, assembled by the emulator module's build. */
    private static final String RESOURCE = "emulator-guests/dirtier.bin";

    private final Machine machine;
    private int round;

    public DirtierGuest(long ramBytes) {
        this(ramBytes, MachineConfig.Paging.HOST_PAGE_TABLES);
    }

    public DirtierGuest(long ramBytes, MachineConfig.Paging paging) {
        this.machine = Machine.boot(new MachineConfig(ramBytes, BootArgs.of("", 0), false, paging), image());
        machine.memory().makeAbsent(FIRST_DOORBELL_PAGE, FIRST_DOORBELL_PAGE + 0x100);
    }

    public static GuestImage image() {
        try (InputStream in = DirtierGuest.class.getResourceAsStream("/" + RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing: build the emulator module with Maven");
            }
            return ImageLoader.load("dirtier.bin", in.readAllBytes(), ImageFormat.FLAT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Machine machine() {
        return machine;
    }

    public int roundsDone() {
        return round;
    }

    /** Lets the guest write {@code pages} (each once) and returns when it reached the round's doorbell. */
    public void writeRound(long[] pages) {
        writeRound(pages, FaultHandler.NONE);
    }

    /** As {@link #writeRound(long[])}, resolving the guest's other page faults with {@code faults}. */
    public void writeRound(long[] pages, FaultHandler faults) {
        if (pages.length > MAX_PAGES_PER_ROUND) {
            throw new IllegalArgumentException("too many pages for one round");
        }
        ByteBuffer command = ByteBuffer.allocate(8 + pages.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        command.putLong(pages.length);
        for (long page : pages) {
            if (page < FIRST_WRITABLE_PAGE || page >= machine.memory().pageCount()) {
                throw new IllegalArgumentException("page " + page + " is not writable by the dirtier");
            }
            command.putLong(page);
        }
        machine.memory().ram().write(COMMAND_GPA, command.array());
        if (round > 0) {
            machine.memory().installZero(doorbell(round - 1));
        }
        VcpuExit exit = machine.run(faults);
        if (!(exit instanceof VcpuExit.PageFault fault) || fault.pageNumber() != doorbell(round)) {
            throw new IllegalStateException("round " + round + " ended with " + exit + ", expected its doorbell");
        }
        round++;
    }

    /** Makes the guest execute {@code ud2} at its next round and returns how the run ended. */
    public VcpuExit crashWithUd2(FaultHandler faults) {
        machine.memory().ram().write(COMMAND_GPA, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        if (round > 0) {
            machine.memory().installZero(doorbell(round - 1));
        }
        return machine.run(faults);
    }

    /** The doorbell page a round ends on; fault handlers must leave it absent. */
    public static long doorbell(int round) {
        return FIRST_DOORBELL_PAGE + (round & 0xff);
    }

    @Override
    public void close() {
        machine.close();
    }
}
