package org.migrationlab.emulator.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.migrationlab.emulator.port.DeviceState;

class DeviceStateTest {
    /** A context over a plain byte array standing in for guest RAM, with every page present. */
    static final class FakeCall implements HypercallContext {
        final byte[] ram = new byte[1 << 16];
        long a0;
        long a1;
        long result;

        FakeCall args(long arg0, long arg1) {
            a0 = arg0;
            a1 = arg1;
            return this;
        }

        public long arg0() {
            return a0;
        }

        public long arg1() {
            return a1;
        }

        public long arg2() {
            return 0;
        }

        public void result(long value) {
            result = value;
        }

        public byte[] readGuest(long gpa, int length) {
            return Arrays.copyOfRange(ram, (int) gpa, (int) gpa + length);
        }

        public void writeGuest(long gpa, byte[] bytes) {
            System.arraycopy(bytes, 0, ram, (int) gpa, bytes.length);
        }
    }

    private static DeviceBus bus(VirtualClock clock, RingDevice ring) {
        return new DeviceBus().attach(new ExitDevice()).attach(new ConsoleDevice()).attach(new ClockDevice(clock))
                .attach(new CounterDevice(clock)).attach(ring).attach(new StreamDevice());
    }

    @Test
    void everyDeviceStateRoundTripsThroughTheBus() {
        VirtualClock clock = new VirtualClock();
        RingDevice ring = new RingDevice(5, new KvRequestStream.KvConfig(10, 3, 16));
        DeviceBus bus = bus(clock, ring);
        FakeCall call = new FakeCall();
        System.arraycopy("hi\n".getBytes(), 0, call.ram, 100, 3);
        bus.dispatch(Ports.CONSOLE, 1, call.args(100, 3));
        bus.dispatch(Ports.COUNTERS, 0, call.args(0, 7));
        bus.dispatch(Ports.RING, 0, call.args(1000, 4096));
        bus.dispatch(Ports.STREAM, 0, call.args(100, 3));
        List<DeviceState> saved = bus.saveAll();

        VirtualClock clock2 = new VirtualClock();
        RingDevice ring2 = new RingDevice(99, KvRequestStream.KvConfig.defaults());
        DeviceBus bus2 = bus(clock2, ring2);
        bus2.restoreAll(saved);
        assertThat(bus2.saveAll()).isEqualTo(saved);
        assertThat(clock2.nanos()).isEqualTo(clock.nanos()).isEqualTo(7000);
        assertThat(ring2.requestsSent()).isEqualTo(1);
    }

    @Test
    void truncatedOrForeignStateIsRefused() {
        DeviceBus bus = bus(new VirtualClock(), new RingDevice(1, KvRequestStream.KvConfig.defaults()));
        List<DeviceState> saved = bus.saveAll();
        for (int device = 0; device < saved.size(); device++) {
            DeviceState state = saved.get(device);
            for (int cut = 0; cut < state.size(); cut += 3) {
                List<DeviceState> truncated = new ArrayList<>(saved);
                truncated.set(device, new DeviceState(state.deviceId(), state.version(),
                        Arrays.copyOf(state.body(), cut)));
                assertThatThrownBy(() -> bus.restoreAll(truncated)).as("device 0x%x cut at %d", state.deviceId(), cut)
                        .isInstanceOf(IllegalArgumentException.class);
            }
            List<DeviceState> trailing = new ArrayList<>(saved);
            trailing.set(device, new DeviceState(state.deviceId(), state.version(),
                    Arrays.copyOf(state.body(), state.size() + 1)));
            assertThatThrownBy(() -> bus.restoreAll(trailing)).hasMessageContaining("trailing");
            List<DeviceState> newer = new ArrayList<>(saved);
            newer.set(device, new DeviceState(state.deviceId(), state.version() + 1, state.body()));
            assertThatThrownBy(() -> bus.restoreAll(newer)).hasMessageContaining("version");
        }
        List<DeviceState> missing = new ArrayList<>(saved.subList(1, saved.size()));
        assertThatThrownBy(() -> bus.restoreAll(missing)).hasMessageContaining("no state for");
        List<DeviceState> twice = new ArrayList<>(saved);
        twice.add(saved.get(0));
        assertThatThrownBy(() -> bus.restoreAll(twice)).hasMessageContaining("two states");
        List<DeviceState> foreign = new ArrayList<>(saved);
        foreign.add(new DeviceState(0x42, 1, new byte[0]));
        assertThatThrownBy(() -> bus.restoreAll(foreign)).hasMessageContaining("does not have");
    }

    @Test
    void unknownPortsAndOperationsAreBadHypercalls() {
        DeviceBus bus = bus(new VirtualClock(), new RingDevice(1, KvRequestStream.KvConfig.defaults()));
        FakeCall call = new FakeCall();
        assertThatThrownBy(() -> bus.dispatch(0x42, 0, call)).isInstanceOf(BadHypercallException.class)
                .hasMessageContaining("unknown port 0x42");
        assertThatThrownBy(() -> bus.dispatch(Ports.BALLOON, 0, call)).hasMessageContaining("balloon");
        assertThatThrownBy(() -> bus.dispatch(Ports.CLOCK, 9, call)).hasMessageContaining("unknown operation 9");
        assertThatThrownBy(() -> bus.dispatch(Ports.CONSOLE, 1, call.args(0, 1L << 40))).hasMessageContaining("max");
    }

    @Test
    void ringChecksRepliesAgainstItsModel() {
        RingDevice ring = new RingDevice(3, new KvRequestStream.KvConfig(200, 4, 32));
        FakeCall call = new FakeCall();
        Map<Long, byte[]> store = new HashMap<>();
        int served = 0;
        while (true) {
            ring.hypercall(0, call.args(0, 4096));
            if (call.result == 0) {
                break;
            }
            java.nio.ByteBuffer req = java.nio.ByteBuffer.wrap(call.ram).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int op = req.getInt(0);
            int len = req.getInt(4);
            long key = req.getLong(8);
            long id = req.getLong(16);
            java.nio.ByteBuffer reply = java.nio.ByteBuffer.allocate(16 + 64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            reply.putLong(id);
            byte[] value = new byte[0];
            int status = 0;
            switch (op) {
                case KvRequestStream.GET -> {
                    value = store.getOrDefault(key, new byte[0]);
                    status = store.containsKey(key) ? 0 : 1;
                }
                case KvRequestStream.PUT -> store.put(key, Arrays.copyOfRange(call.ram, 24, 24 + len));
                case KvRequestStream.DEL -> status = store.remove(key) != null ? 0 : 1;
                default -> throw new AssertionError(op);
            }
            reply.putInt(status).putInt(value.length).put(value);
            System.arraycopy(reply.array(), 0, call.ram, 8192, reply.position());
            ring.hypercall(1, call.args(8192, reply.position()));
            served++;
        }
        assertThat(served).isEqualTo(200);
        assertThat(ring.mismatches()).as(ring.firstMismatch()).isZero();
        assertThat(ring.replies()).isEqualTo(200);
    }

    @Test
    void streamCrcMatchesJavaCrc32c() {
        StreamDevice stream = new StreamDevice();
        FakeCall call = new FakeCall();
        new java.util.Random(1).nextBytes(call.ram);
        stream.hypercall(0, call.args(0, 1000));
        stream.hypercall(0, call.args(1000, 3000));
        DeviceState saved = stream.save();
        StreamDevice restored = new StreamDevice();
        restored.restore(saved);
        restored.hypercall(0, call.args(4000, 96));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(call.ram, 0, 4096);
        assertThat(restored.crc32c()).isEqualTo(crc.getValue());
    }

    // ---- limits: a state from elsewhere can make a device neither allocate nor believe what its guest cannot

    /** The ring's state body (layout version 1) with the given model entries {key, value seed, value length}. */
    private static DeviceState ringState(long requests, long keys, int valueMax, long nextId, byte[] firstMismatch,
                                         long[] awaiting, long[]... entries) {
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(4096 + firstMismatch.length + entries.length * 24)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(requests).putLong(keys).putInt(valueMax).putLong(77).putLong(nextId).putLong(0).putLong(0);
        out.putInt(firstMismatch.length).put(firstMismatch);
        if (awaiting == null) {
            out.putInt(0);
        } else {
            out.putInt(1).putLong(awaiting[0]).putInt((int) awaiting[1]).putLong(awaiting[2]).putLong(awaiting[3])
                    .putInt((int) awaiting[4]);
        }
        out.putInt(entries.length);
        for (long[] entry : entries) {
            out.putLong(entry[0]).putLong(entry[1]).putLong(entry[2]);
        }
        return new DeviceState(Ports.RING, 1, Arrays.copyOf(out.array(), out.position()));
    }

    @Test
    void aRingStateWithinItsConfigIsLoaded() {
        RingDevice ring = new RingDevice(1, KvRequestStream.KvConfig.defaults());
        DeviceState state = ringState(100, 16, 64, 5, new byte[0], new long[] {4, KvRequestStream.PUT, 15, 9, 64},
                new long[] {0, 1, 8}, new long[] {15, 2, 64});
        ring.restore(state);
        assertThat(ring.save()).isEqualTo(state);
    }

    @Test
    void aRingStateBeyondItsConfigIsRefused() {
        RingDevice ring = new RingDevice(1, KvRequestStream.KvConfig.defaults());
        DeviceState before = ring.save();
        byte[] none = new byte[0];
        Map<String, DeviceState> hostile = new java.util.LinkedHashMap<>();
        // A model value of ~2 GiB: the device would allocate it at the next GET of that key.
        hostile.put("a 2 GiB model value", ringState(100, 16, 64, 5, none, null, new long[] {3, 1, Integer.MAX_VALUE - 7}));
        hostile.put("an awaited PUT of 2 GiB", ringState(100, 16, 64, 5, none,
                new long[] {4, KvRequestStream.PUT, 3, 1, Integer.MAX_VALUE}));
        hostile.put("a model value under 8 bytes", ringState(100, 16, 64, 5, none, null, new long[] {3, 1, 7}));
        hostile.put("a key beyond the config", ringState(100, 16, 64, 5, none, null, new long[] {16, 1, 8}));
        hostile.put("a key twice", ringState(100, 16, 64, 5, none, null, new long[] {3, 1, 8}, new long[] {3, 2, 9}));
        hostile.put("more entries than keys", ringState(100, 1, 64, 5, none, null, new long[] {0, 1, 8},
                new long[] {0, 1, 8}));
        hostile.put("more requests sent than the stream has", ringState(100, 16, 64, 101, none, null));
        hostile.put("more keys than the host models", ringState(100, KvRequestStream.KvConfig.MAX_KEYS + 1, 64, 5, none,
                null));
        hostile.put("an awaited request that is not the last one sent", ringState(100, 16, 64, 5, none,
                new long[] {2, KvRequestStream.GET, 3, 0, 0}));
        hostile.put("an awaited request of an unknown operation", ringState(100, 16, 64, 5, none,
                new long[] {4, 9, 3, 0, 0}));
        hostile.put("a mismatch text of 2 KiB", ringState(100, 16, 64, 5, new byte[2048], null));
        for (Map.Entry<String, DeviceState> entry : hostile.entrySet()) {
            assertThatThrownBy(() -> ring.restore(entry.getValue())).as(entry.getKey())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ring state");
            assertThat(ring.save()).as("unchanged after " + entry.getKey()).isEqualTo(before);
        }
    }

    @Test
    void aConsoleStateBeyondItsLimitsIsRefused() {
        ConsoleDevice console = new ConsoleDevice();
        assertThatThrownBy(() -> console.restore(consoleState(0, 10, ConsoleDevice.MAX_LINE_BYTES + 1)))
                .hasMessageContaining("unfinished line of 4097 bytes");
        assertThatThrownBy(() -> console.restore(consoleState(0, ConsoleDevice.MAX_BYTES + 1, 0)))
                .hasMessageContaining("console state");
        assertThatThrownBy(() -> console.restore(consoleState(-1, 10, 0))).hasMessageContaining("console state");
        assertThatThrownBy(() -> console.restore(consoleState(5, 10, 0))).as("dropped bytes with room left")
                .hasMessageContaining("console state");
        DeviceState fine = consoleState(0, 10, ConsoleDevice.MAX_LINE_BYTES);
        console.restore(fine);
        assertThat(console.save()).isEqualTo(fine);
        assertThat(console.unfinishedLineBytes()).isEqualTo(ConsoleDevice.MAX_LINE_BYTES);
    }

    private static DeviceState consoleState(long dropped, int textBytes, int lineBytes) {
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(16 + textBytes + lineBytes)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(dropped).putInt(textBytes).put(new byte[textBytes]).putInt(lineBytes);
        byte[] line = new byte[lineBytes];
        Arrays.fill(line, (byte) 'x');
        out.put(line);
        return new DeviceState(Ports.CONSOLE, 1, out.array());
    }

    @Test
    void aLineWithoutANewlineIsEchoedInPiecesAndNeverHeldBeyondTheLimit() {
        ConsoleDevice console = new ConsoleDevice();
        List<String> echoed = new ArrayList<>();
        console.echoLinesTo(echoed::add);
        FakeCall call = new FakeCall();
        Arrays.fill(call.ram, 0, 10_000, (byte) 'a');
        console.hypercall(1, call.args(0, 10_000));
        assertThat(console.unfinishedLineBytes()).isEqualTo(10_000 - 2 * ConsoleDevice.MAX_LINE_BYTES);
        assertThat(echoed).hasSize(2).allMatch(line -> line.length() == ConsoleDevice.MAX_LINE_BYTES);
        call.ram[0] = '\n';
        console.hypercall(1, call.args(0, 1));
        assertThat(echoed).hasSize(3);
        assertThat(echoed.get(2)).hasSize(10_000 - 2 * ConsoleDevice.MAX_LINE_BYTES);
        assertThat(console.unfinishedLineBytes()).isZero();
    }

    @Test
    void negativeCountersOrTimeAreRefused() {
        VirtualClock clock = new VirtualClock();
        assertThatThrownBy(() -> new ClockDevice(clock).restore(new DeviceState(Ports.CLOCK, 1,
                java.nio.ByteBuffer.allocate(8).putLong(-1).array()))).hasMessageContaining("negative");
        byte[] counters = new byte[CounterDevice.COUNTERS * 8];
        counters[7] = (byte) 0x80; // counter 0 little-endian with its sign bit set
        assertThatThrownBy(() -> new CounterDevice(clock).restore(new DeviceState(Ports.COUNTERS, 1, counters)))
                .hasMessageContaining("negative");
    }

    @Test
    void oneRefusedDeviceStateLeavesEveryDeviceAsItWas() {
        VirtualClock clock = new VirtualClock();
        DeviceBus bus = bus(clock, new RingDevice(5, new KvRequestStream.KvConfig(10, 3, 16)));
        FakeCall call = new FakeCall();
        System.arraycopy("hello\n".getBytes(), 0, call.ram, 100, 6);
        bus.dispatch(Ports.CONSOLE, 1, call.args(100, 6));
        bus.dispatch(Ports.COUNTERS, 0, call.args(0, 7));
        List<DeviceState> before = bus.saveAll();

        VirtualClock otherClock = new VirtualClock();
        DeviceBus other = bus(otherClock, new RingDevice(5, new KvRequestStream.KvConfig(10, 3, 16)));
        other.dispatch(Ports.COUNTERS, 0, call.args(0, 3));
        List<DeviceState> incoming = new ArrayList<>(other.saveAll());
        for (int i = 0; i < incoming.size(); i++) {
            if (incoming.get(i).deviceId() == Ports.RING) {
                incoming.set(i, ringState(10, 3, 16, 0, new byte[0], null, new long[] {0, 1, 1 << 30}));
            }
        }
        assertThatThrownBy(() -> bus.restoreAll(incoming)).hasMessageContaining("ring state");
        assertThat(bus.saveAll()).isEqualTo(before);
        assertThat(clock.nanos()).isEqualTo(7000);
    }
}
