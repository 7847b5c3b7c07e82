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
    /** The first mismatch is kept as text for reports; this device never writes a longer one. */
    static final int MAX_MISMATCH_TEXT_BYTES = 1024;

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
            byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            firstMismatch = utf8.length <= MAX_MISMATCH_TEXT_BYTES ? text
                    : new String(utf8, 0, MAX_MISMATCH_TEXT_BYTES - 3, java.nio.charset.StandardCharsets.UTF_8) + "...";
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

    /**
     * Checks everything a saved state could make this device allocate or believe: the config within
     * {@link KvRequestStream.KvConfig}'s limits, counts that a run of that config can reach, the request
     * awaiting its reply and every model entry within the config (key below {@code keys}, a value of
     * 8..{@code valueMax} bytes, no key twice).
     */
    @Override
    public Runnable prepareRestore(DeviceState state) {
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
        if (nextId < 0 || nextId > config.requests() || replyCount < 0 || mismatchCount < 0) {
            throw new IllegalArgumentException("ring state: " + nextId + " requests sent of " + config.requests() + ", "
                    + replyCount + " replies, " + mismatchCount + " mismatches");
        }
        int firstLength = in.readInt();
        if (firstLength < 0 || firstLength > MAX_MISMATCH_TEXT_BYTES) {
            throw new IllegalArgumentException("ring state: a mismatch text of " + firstLength + " bytes (max "
                    + MAX_MISMATCH_TEXT_BYTES + ")");
        }
        String first = new String(in.readBytes(firstLength), java.nio.charset.StandardCharsets.UTF_8);
        int awaitingFlag = in.readInt();
        KvRequestStream.Request pending = null;
        if (awaitingFlag == 1) {
            pending = new KvRequestStream.Request(in.readLong(), in.readInt(), in.readLong(), in.readLong(), in.readInt());
            checkRequest(pending, config, nextId);
        } else if (awaitingFlag != 0) {
            throw new IllegalArgumentException("ring state: awaiting flag " + awaitingFlag);
        }
        int entries = in.readInt();
        if (entries < 0 || entries > config.keys()) {
            throw new IllegalArgumentException("ring state: " + entries + " model entries for " + config.keys() + " keys");
        }
        Map<Long, long[]> loaded = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            long key = in.readLong();
            long valueSeed = in.readLong();
            long valueLength = in.readLong();
            if (key < 0 || key >= config.keys() || valueLength < 8 || valueLength > config.valueMax()) {
                throw new IllegalArgumentException("ring state: model entry for key " + key + " with a value of "
                        + valueLength + " bytes (keys below " + config.keys() + ", values of 8.." + config.valueMax() + ")");
            }
            if (loaded.put(key, new long[] {valueSeed, valueLength}) != null) {
                throw new IllegalArgumentException("ring state: key " + key + " twice in the model");
            }
        }
        in.expectEnd();
        KvRequestStream.Request awaited = pending;
        return () -> {
            requests = new KvRequestStream(0, config);
            requests.restore(rng, nextId);
            replies = replyCount;
            mismatches = mismatchCount;
            firstMismatch = first;
            awaiting = awaited;
            model.clear();
            model.putAll(loaded);
        };
    }

    private static void checkRequest(KvRequestStream.Request request, KvRequestStream.KvConfig config, long nextId) {
        boolean put = request.op() == KvRequestStream.PUT;
        boolean known = put || request.op() == KvRequestStream.GET || request.op() == KvRequestStream.DEL;
        boolean length = put ? request.valueLength() >= 8 && request.valueLength() <= config.valueMax()
                : request.valueLength() == 0;
        if (!known || !length || request.id() != nextId - 1 || request.key() < 0 || request.key() >= config.keys()) {
            throw new IllegalArgumentException("ring state: awaiting request " + request + " cannot come from the"
                    + " request stream of " + config);
        }
    }
}
