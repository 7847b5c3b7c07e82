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
}
