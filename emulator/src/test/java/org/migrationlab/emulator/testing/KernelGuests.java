package org.migrationlab.emulator.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.migrationlab.emulator.cpu.VcpuExit;
import org.migrationlab.emulator.image.BootArgs;
import org.migrationlab.emulator.image.GuestImage;
import org.migrationlab.emulator.image.ImageFormat;
import org.migrationlab.emulator.image.ImageLoader;
import org.migrationlab.emulator.machine.FaultHandler;
import org.migrationlab.emulator.machine.Machine;
import org.migrationlab.emulator.machine.MachineConfig;
import org.migrationlab.guest.GuestImages;

/** Boots the guest kernel's workloads and captures what the oracle compares. */
public final class KernelGuests {
    private static final GuestImage KERNEL = ImageLoader.load(GuestImages.KERNEL, GuestImages.kernel(), ImageFormat.ELF);
    private static final Pattern INCREMENTER_RANGE = Pattern.compile("incrementer: range 0x([0-9a-f]+) pages (\\d+)");

    private KernelGuests() {
    }

    public static GuestImage kernel() {
        return KERNEL;
    }

    /** A config for {@code workload} with "key=value" arguments. */
    public static MachineConfig config(long ramBytes, String workload, long seed, String... pairs) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String pair : pairs) {
            Map.Entry<String, String> e = BootArgs.parsePair(pair);
            args.put(e.getKey(), e.getValue());
        }
        return MachineConfig.of(ramBytes, new BootArgs(workload, args, seed));
    }

    public static Machine boot(MachineConfig config) {
        return Machine.boot(config, KERNEL);
    }

    /**
     * What a finished run leaves behind, and so what the migration oracle compares: a migrated guest
     * must end with the result, status, console and memory hash of an unmigrated run of the same guest.
     */
    public record Outcome(long result, long status, String console, long memoryHash) {
    }

    /** Runs to the guest's exit (resolving faults with {@code faults}) and captures the outcome. */
    public static Outcome runToEnd(Machine machine, FaultHandler faults) {
        VcpuExit exit = machine.run(faults);
        if (!(exit instanceof VcpuExit.Halt halt)) {
            throw new AssertionError("guest did not halt: " + exit + "\nconsole:\n" + machine.console().text());
        }
        return new Outcome(halt.result(), halt.status(), machine.console().text(), machine.memory().hash());
    }

    public static Outcome runToEnd(Machine machine) {
        return runToEnd(machine, FaultHandler.NONE);
    }

    /** A fresh boot of {@code config} run to its end: the unmigrated reference run. */
    public static Outcome referenceRun(MachineConfig config) {
        try (Machine machine = boot(config)) {
            return runToEnd(machine);
        }
    }

    /** The progress counter at the end of an unmigrated run of {@code config}. */
    public static long referenceRunProgress(MachineConfig config) {
        try (Machine machine = boot(config)) {
            runToEnd(machine);
            return machine.counters().value(0);
        }
    }

    /** The incrementer's range as {gpa, pages}, from its console line. */
    public static long[] incrementerRange(String console) {
        Matcher m = INCREMENTER_RANGE.matcher(console);
        if (!m.find()) {
            throw new AssertionError("no incrementer range line in console:\n" + console);
        }
        return new long[] {Long.parseLong(m.group(1), 16), Long.parseLong(m.group(2))};
    }

    /** The first byte of each page of the incrementer's range. */
    public static byte[] incrementerBytes(Machine machine) {
        long[] range = incrementerRange(machine.console().text());
        byte[] bytes = new byte[(int) range[1]];
        for (int p = 0; p < bytes.length; p++) {
            bytes[p] = machine.memory().ram().readByte(range[0] + (long) p * 4096);
        }
        return bytes;
    }
}
