package org.migrationlab.emulator.devices;

import org.migrationlab.emulator.port.DeviceState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Port 0xE4: the request ring of service workloads. The host generates {@code kvstore} requests from a
 * seed as the guest polls ({@link KvRequestStream}) and checks every reply against its own model of the
 * store, so a guest whose memory was corrupted (for instance by a broken migration) is caught at once.
 */
public final class RingDevice implements Device {
    public static final int REPLY_HEADER_BYTES = 16;

    private KvRequestStream requests;
    private final Map<Long, long[]> model = new HashMap<>(); // key -> {valueSeed, valueLength}
    private KvRequestStream.Request awaiting;
    private long replies;
    private long mismatches;
    private String firstMismatch = "";

    public RingDevice(long seed, KvRequestStream.KvConfig config) {
        this.requests = new KvRequestStream(seed, config);
    }

    @Override
    public int port() {
        return Ports.RING;
    }

    @Override
    public String name() {
        return "ring";
    }

    public long requestsSent() {
        return requests.nextId();
    }

    public long replies() {
        return replies;
    }

    /** Replies that disagreed with the host's model, or protocol slips (a poll with a reply missing). */
    public long mismatches() {
        return mismatches;
    }

    public String firstMismatch() {
        return firstMismatch;
    }

    @Override
    public HypercallOutcome hypercall(int operation, HypercallContext call) {
        switch (operation) {
            case 0 -> poll(call);
            case 1 -> reply(call);
            default -> throw new BadHypercallException("ring: unknown operation " + operation);
        }
        return HypercallOutcome.CONTINUE;
    }

    private void poll(HypercallContext call) {
        if (awaiting != null) {
            mismatch("request " + awaiting.id() + " polled past without a reply");
            awaiting = null;
        }
        if (!requests.hasNext()) {
            call.result(0);
            return;
        }
        KvRequestStream.Request request = requests.next();
        byte[] encoded = request.encode();
        long capacity = call.arg1();
        if (capacity < encoded.length) {
            throw new BadHypercallException("ring: poll buffer of " + capacity + " bytes, request needs " + encoded.length);
        }
        call.writeGuest(call.arg0(), encoded);
        awaiting = request;
        call.result(encoded.length);
    }

    private void reply(HypercallContext call) {
        long length = call.arg1();
        if (length < REPLY_HEADER_BYTES || length > REPLY_HEADER_BYTES + 65_536) {
            throw new BadHypercallException("ring: reply of " + length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(call.readGuest(call.arg0(), (int) length)).order(ByteOrder.LITTLE_ENDIAN);
        long id = in.getLong();
        int status = in.getInt();
        int valueLength = in.getInt();
        replies++;
        KvRequestStream.Request request = awaiting;
        awaiting = null;
        if (request == null || request.id() != id) {
            mismatch("reply for request " + id + " that is not outstanding");
            return;
        }
        if (valueLength < 0 || valueLength != length - REPLY_HEADER_BYTES) {
            mismatch("reply " + id + " declares " + valueLength + " value bytes in a " + length + "-byte reply");
            return;
        }
        byte[] value = new byte[valueLength];
        in.get(value);
        check(request, status, value);
    }

    private void check(KvRequestStream.Request request, int status, byte[] value) {
        long[] stored = model.get(request.key());
        switch (request.op()) {
            case KvRequestStream.GET -> {
                if (stored == null) {
                    expect(request, status == 1 && value.length == 0, "not found");
                } else {
                    byte[] expected = KvRequestStream.value(stored[0], (int) stored[1]);
                    expect(request, status == 0 && Arrays.equals(expected, value), "value of " + stored[1] + " bytes");
                }
            }
            case KvRequestStream.PUT -> {
                expect(request, status == 0 && value.length == 0, "stored");
                model.put(request.key(), new long[] {request.valueSeed(), request.valueLength()});
            }
            case KvRequestStream.DEL -> {
                expect(request, status == (stored == null ? 1 : 0) && value.length == 0,
                        stored == null ? "not found" : "deleted");
                model.remove(request.key());
            }
            default -> throw new IllegalStateException("unknown op " + request.op());
        }
    }

    private void expect(KvRequestStream.Request request, boolean ok, String what) {
        if (!ok) {
            mismatch("request " + request.id() + " (op " + request.op() + ", key " + request.key() + "): expected " + what);
        }
    }

    private void mismatch(String text) {
        if (mismatches++ == 0) {
            firstMismatch = text;
        }
    }

    @Override
    public DeviceState save() {
        KvRequestStream.KvConfig config = requests.config();
        StateWriter out = new StateWriter(port(), 1)
                .writeLong(config.requests()).writeLong(config.keys()).writeInt(config.valueMax())
                .writeLong(requests.rngState()).writeLong(requests.nextId())
                .writeLong(replies).writeLong(mismatches);
        byte[] first = firstMismatch.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(first.length).writeBytes(first);
        if (awaiting == null) {
            out.writeInt(0);
        } else {
            out.writeInt(1).writeLong(awaiting.id()).writeInt(awaiting.op()).writeLong(awaiting.key())
                    .writeLong(awaiting.valueSeed()).writeInt(awaiting.valueLength());
        }
        TreeMap<Long, long[]> sorted = new TreeMap<>(model);
        out.writeInt(sorted.size());
        sorted.forEach((key, v) -> out.writeLong(key).writeLong(v[0]).writeLong(v[1]));
        return out.toState();
    }

    @Override
    public void restore(DeviceState state) {
        StateReader in = new StateReader(state, name(), 1);
        KvRequestStream.KvConfig config;
        try {
            config = new KvRequestStream.KvConfig(in.readLong(), in.readLong(), in.readInt());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ring state: " + e.getMessage(), e);
        }
        long rng = in.readLong();
        long nextId = in.readLong();
        long replyCount = in.readLong();
        long mismatchCount = in.readLong();
        String first = new String(in.readBytes(in.readInt()), java.nio.charset.StandardCharsets.UTF_8);
        KvRequestStream.Request pending = null;
        if (in.readInt() == 1) {
            pending = new KvRequestStream.Request(in.readLong(), in.readInt(), in.readLong(), in.readLong(), in.readInt());
        }
        int entries = in.readInt();
        if (entries < 0 || entries > 10_000_000) {
            throw new IllegalArgumentException("ring state: " + entries + " model entries");
        }
        Map<Long, long[]> loaded = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            loaded.put(in.readLong(), new long[] {in.readLong(), in.readLong()});
        }
        in.expectEnd();
        requests = new KvRequestStream(0, config);
        requests.restore(rng, nextId);
        replies = replyCount;
        mismatches = mismatchCount;
        firstMismatch = first;
        awaiting = pending;
        model.clear();
        model.putAll(loaded);
    }
}
