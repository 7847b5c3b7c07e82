package org.migrationlab.migration.protocol;

import org.migrationlab.emulator.memory.GuestMemory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * One record of the migration stream (PROTOCOL §4). Compact constructors check what needs no context;
 * the decoder and the sessions check the rest. Dispatch over this type with an exhaustive switch and no
 * default branch, so a new record cannot be forgotten.
 */
public sealed interface MigrationRecord {
    int NONCE_BYTES = 16;
    int MAC_BYTES = 32;
    int MAX_MESSAGE_BYTES = 1024;
    int MAX_PAGES_PER_BATCH = 256;

    RecordType type();

    /** Which end speaks. */
    enum Role { SOURCE, DESTINATION }

    /** Which of the two connections. */
    enum Channel { BULK, URGENT }

    /**
     * Opens each connection. {@code version} is the protocol version the sender speaks; a receiver accepts
     * {@code [OLDEST_ACCEPTED_VERSION, CURRENT_VERSION]} and refuses the rest, naming that window
     * (PROTOCOL §3). Only a breaking change bumps the version; a new optional record does not.
     */
    record Hello(int version, Role role, Channel channel, UUID migrationId, byte[] nonce) implements MigrationRecord {
        /**
         * Version 9: READY, the destination's answer to GUEST_CONFIG once its machine is built; the source
         * pauses its guest only after it, so that building the machine is never part of the downtime.
         * Version 8: ABORT(GUEST_LOST), a restarted destination's proof that the guest it ran is gone, on
         * which the source rolls back to its frozen copy (PROTOCOL §5.7). Version 7: post-copy recovery (PROTOCOL §5.6): a source that lost its connections after the
         * switch-over reconnects and opens each new connection with the mandatory RECOVER; the destination
         * answers with RECOVERED and its received-page bitmap. Version 6: both ends send HEARTBEAT on both connections once authenticated, and end a connection
         * whose peer stays silent for the peer timeout. Version 5: proofs over both HELLOs (and the TLS
         * session), per-connection keys, and every frame after a side's AUTH encrypted and authenticated
         * with AES-256-GCM under a sequence number. Version 4 sealed with HMAC-SHA256 over a plain body;
         * version 3 sealed nothing.
         */
        public static final int CURRENT_VERSION = 9;
        /**
         * A version-8 destination never sends READY, and a version-9 source would wait for it until its reply
         * timeout.
         * A version-7 destination answers a lost guest's RECOVER with an ordinary refusal, and a version-7
         * source would hold its paused copy for good instead of resuming it. A version-6 peer cannot recover a paused post-copy migration and would refuse RECOVER as an
         * unknown mandatory record. A version-5 peer sends no heartbeats (this end would cut it off as silent) and refuses ours; older
         * peers seal their frames differently (version 4) or not at all (version 3).
         */
        public static final int OLDEST_ACCEPTED_VERSION = CURRENT_VERSION;

        public Hello {
            if (version < 0 || version > 0xffff) {
                throw new ProtocolException(AbortReason.MALFORMED, "version " + version);
            }
            if (nonce.length != NONCE_BYTES) {
                throw new ProtocolException(AbortReason.MALFORMED, "nonce of " + nonce.length + " bytes");
            }
            nonce = nonce.clone();
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        public RecordType type() {
            return RecordType.HELLO;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hello h && h.version == version && h.role == role && h.channel == channel
                    && h.migrationId.equals(migrationId) && Arrays.equals(h.nonce, nonce);
        }

        @Override
        public int hashCode() {
            return migrationId.hashCode() ^ Arrays.hashCode(nonce);
        }
    }

    record Auth(byte[] mac) implements MigrationRecord {
        public Auth {
            if (mac.length != MAC_BYTES) {
                throw new ProtocolException(AbortReason.MALFORMED, "MAC of " + mac.length + " bytes");
            }
            mac = mac.clone();
        }

        @Override
        public byte[] mac() {
            return mac.clone();
        }

        public RecordType type() {
            return RecordType.AUTH;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Auth a && Arrays.equals(a.mac, mac);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(mac);
        }
    }

    /**
     * What the destination must build: RAM size and the guest's boot arguments, and the scheme;
     * {@code image} names where the source booted the guest from, for the destination's reports only (the
     * image itself never travels: its pages do).
     */
    record GuestConfig(long ramBytes, long seed, MigrationMode mode, String workload, Map<String, String> args,
                       String image)
            implements MigrationRecord {
        public static final long MAX_RAM_BYTES = 64L << 30;
        public static final int MAX_IMAGE_BYTES = 256;

        public GuestConfig {
            if (ramBytes <= 0 || ramBytes % GuestMemory.PAGE_SIZE != 0 || ramBytes > MAX_RAM_BYTES) {
                throw new ProtocolException(AbortReason.MALFORMED, "RAM of " + ramBytes + " bytes");
            }
            if (workload.length() > 31) {
                throw new ProtocolException(AbortReason.MALFORMED, "workload name longer than 31 characters");
            }
            if (!workload.chars().allMatch(c -> c < 0x80)) {
                throw new ProtocolException(AbortReason.MALFORMED, "workload name is not ASCII");
            }
            if (image.getBytes(StandardCharsets.UTF_8).length > MAX_IMAGE_BYTES) {
                throw new ProtocolException(AbortReason.MALFORMED, "image name longer than " + MAX_IMAGE_BYTES
                        + " bytes");
            }
            args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
        }

        /** A config whose image the reports need not name. */
        public GuestConfig(long ramBytes, long seed, MigrationMode mode, String workload, Map<String, String> args) {
            this(ramBytes, seed, mode, workload, args, "");
        }

        public long pageCount() {
            return ramBytes / GuestMemory.PAGE_SIZE;
        }

        public RecordType type() {
            return RecordType.GUEST_CONFIG;
        }
    }

    /**
     * Up to 256 pages sent for one reason. {@code data} holds the pages' bytes back to back (lengths per
     * page); the batch owns one reference to it, released by whoever consumes the batch.
     */
    record PageBatch(SendReason reason, int round, long[] pageNumbers, PageEncoding[] encodings, int[] lengths,
                     int[] crcs, ByteBuf data) implements MigrationRecord, ReferenceCounted {
        public PageBatch {
            int count = pageNumbers.length;
            if (count < 1 || count > MAX_PAGES_PER_BATCH) {
                throw new ProtocolException(AbortReason.MALFORMED, "batch of " + count + " pages");
            }
            if (encodings.length != count || lengths.length != count || crcs.length != count) {
                throw new IllegalArgumentException("per-page arrays differ in length");
            }
            if (round < 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "round " + round);
            }
            long total = 0;
            for (int i = 0; i < count; i++) {
                if (pageNumbers[i] < 0) {
                    throw new ProtocolException(AbortReason.BAD_PAGE, "page " + pageNumbers[i]);
                }
                int length = lengths[i];
                boolean ok = switch (encodings[i]) {
                    case ZERO -> length == 0;
                    case RAW -> length == GuestMemory.PAGE_SIZE;
                    case DEFLATE -> length >= 1 && length <= GuestMemory.PAGE_SIZE;
                };
                if (!ok) {
                    throw new ProtocolException(AbortReason.MALFORMED,
                            encodings[i] + " page " + pageNumbers[i] + " with " + length + " bytes");
                }
                total += length;
            }
            if (total != data.readableBytes()) {
                throw new ProtocolException(AbortReason.MALFORMED,
                        "batch declares " + total + " data bytes, carries " + data.readableBytes());
            }
        }

        public int count() {
            return pageNumbers.length;
        }

        /** Equal descriptors and equal data bytes (the data must not have been released). */
        @Override
        public boolean equals(Object o) {
            return o instanceof PageBatch b && b.reason == reason && b.round == round
                    && Arrays.equals(b.pageNumbers, pageNumbers) && Arrays.equals(b.encodings, encodings)
                    && Arrays.equals(b.lengths, lengths) && Arrays.equals(b.crcs, crcs) && b.data.equals(data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(pageNumbers) * 31 + Arrays.hashCode(crcs);
        }

        public RecordType type() {
            return RecordType.PAGE_BATCH;
        }

        @Override
        public int refCnt() {
            return data.refCnt();
        }

        @Override
        public PageBatch retain() {
            data.retain();
            return this;
        }

        @Override
        public PageBatch retain(int increment) {
            data.retain(increment);
            return this;
        }

        @Override
        public PageBatch touch() {
            data.touch();
            return this;
        }

        @Override
        public PageBatch touch(Object hint) {
            data.touch(hint);
            return this;
        }

        @Override
        public boolean release() {
            return data.release();
        }

        @Override
        public boolean release(int decrement) {
            return data.release(decrement);
        }
    }

    record RoundEnd(int round, long dirtyPages) implements MigrationRecord {
        public RoundEnd {
            if (round < 0 || dirtyPages < 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "round " + round + ", dirty " + dirtyPages);
            }
        }

        public RecordType type() {
            return RecordType.ROUND_END;
        }
    }

    /**
     * Everything of the paused guest but its pages, as one image (PROTOCOL §4): CPU, every device's
     * versioned state and the ballooned pages, with one header and one checksum. The codec carries the
     * bytes; the destination decodes and checks them against its machine.
     */
    record GuestStateRecord(byte[] image) implements MigrationRecord {
        public GuestStateRecord {
            image = image.clone();
        }

        @Override
        public byte[] image() {
            return image.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GuestStateRecord g && Arrays.equals(g.image, image);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(image);
        }

        public RecordType type() {
            return RecordType.GUEST_STATE;
        }
    }

    /** The source has paused for good; {@code pending} marks the pages still to come (post-copy). */
    record SwitchOver(MigrationMode mode, long pendingCount, byte[] pendingBitmap) implements MigrationRecord {
        public SwitchOver {
            if (pendingCount < 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "pending " + pendingCount);
            }
            pendingBitmap = pendingBitmap.clone();
        }

        @Override
        public byte[] pendingBitmap() {
            return pendingBitmap.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SwitchOver s && s.mode == mode && s.pendingCount == pendingCount
                    && Arrays.equals(s.pendingBitmap, pendingBitmap);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(pendingCount) * 31 + Arrays.hashCode(pendingBitmap);
        }

        public boolean isPending(long page) {
            long index = page >>> 3; // a long: an int cast would wrap huge pages onto small ones
            return page >= 0 && index < pendingBitmap.length && (pendingBitmap[(int) index] & (1 << (page & 7))) != 0;
        }

        public RecordType type() {
            return RecordType.SWITCH_OVER;
        }
    }


    /**
     * The destination's answer to GUEST_CONFIG: its empty machine is built (PROTOCOL §1). The source waits
     * for it before it pauses its guest, so that building the machine, which grows with the guest's RAM,
     * happens while the guest still runs. Empty body.
     */
    record Ready() implements MigrationRecord {
        public RecordType type() {
            return RecordType.READY;
        }
    }

    /**
     * The destination's guest runs. It says how long the destination's part of the downtime took, so the
     * source's report can tell it from the network's: {@code receiveNanos} decoding GUEST_STATE and
     * SWITCH_OVER, {@code restoreNanos} restoring the state into the machine, {@code resumeNanos} from there
     * to this record handed to the connection (starting the vCPU included).
     */
    record Resumed(long receiveNanos, long restoreNanos, long resumeNanos) implements MigrationRecord {
        /** A RESUMED without timings (test peers that never restored anything). */
        public Resumed() {
            this(0, 0, 0);
        }

        public Resumed {
            if (receiveNanos < 0 || restoreNanos < 0 || resumeNanos < 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "RESUMED with a negative duration");
            }
        }

        public RecordType type() {
            return RecordType.RESUMED;
        }
    }

    record PageRequest(long pageNumber) implements MigrationRecord {
        public PageRequest {
            if (pageNumber < 0) {
                throw new ProtocolException(AbortReason.BAD_PAGE, "page " + pageNumber);
            }
        }

        public RecordType type() {
            return RecordType.PAGE_REQUEST;
        }
    }

    record PagesDone(long pagesSent) implements MigrationRecord {
        public PagesDone {
            if (pagesSent < 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "pages sent " + pagesSent);
            }
        }

        public RecordType type() {
            return RecordType.PAGES_DONE;
        }
    }

    record Complete(long pagesReceived) implements MigrationRecord {
        public Complete {
            if (pagesReceived < 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "pages received " + pagesReceived);
            }
        }

        public RecordType type() {
            return RecordType.COMPLETE;
        }
    }

    record Abort(AbortReason reason, String message) implements MigrationRecord {
        public Abort {
            if (message.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
                int end = Math.min(message.length(), MAX_MESSAGE_BYTES / 4);
                if (Character.isHighSurrogate(message.charAt(end - 1))) {
                    end--; // keep surrogate pairs whole
                }
                message = message.substring(0, end) + "...";
            }
        }

        public RecordType type() {
            return RecordType.ABORT;
        }
    }

    /**
     * Optional: what post-copy cost the destination (network and minor faults, page requests, fault
     * latency in nanoseconds), sent just before COMPLETE so the source can report it.
     */
    record DestinationStats(long networkFaults, long minorFaults, long requests, long latencyP50Nanos,
                            long latencyP90Nanos, long latencyP99Nanos, long latencyMaxNanos)
            implements MigrationRecord {
        public DestinationStats {
            if (networkFaults < 0 || minorFaults < 0 || requests < 0 || latencyP50Nanos < 0 || latencyP90Nanos < 0
                    || latencyP99Nanos < 0 || latencyMaxNanos < 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "negative destination statistics");
            }
        }

        public RecordType type() {
            return RecordType.DESTINATION_STATS;
        }
    }

    /**
     * Optional: where the destination's network faults spent their time, in nanoseconds, over the faults it
     * sampled (those whose reply was read after their own request was written): from the fault to the
     * request written, from there to the reply read (the source's serving and the wire both ways), from
     * the reply read to the page installed, and from there to the page mapped for the resuming vCPU.
     * Sent just before DESTINATION_STATS.
     */
    record FaultStages(long sampled, Stage request, Stage roundTrip, Stage install, Stage resume)
            implements MigrationRecord {
        /** The median and the 99th percentile of one stage, in nanoseconds. */
        public record Stage(long p50Nanos, long p99Nanos) {
            public Stage {
                if (p50Nanos < 0 || p99Nanos < 0) {
                    throw new ProtocolException(AbortReason.MALFORMED, "negative fault stage");
                }
            }
        }

        public FaultStages {
            if (sampled < 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "negative sampled fault count");
            }
            java.util.Objects.requireNonNull(request);
            java.util.Objects.requireNonNull(roundTrip);
            java.util.Objects.requireNonNull(install);
            java.util.Objects.requireNonNull(resume);
        }

        public RecordType type() {
            return RecordType.FAULT_STAGES;
        }
    }

    /** Optional: free text for humans watching a migration; receivers may ignore it. */
    record ProgressHint(String text) implements MigrationRecord {
        public ProgressHint {
            if (text.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
                throw new ProtocolException(AbortReason.MALFORMED, "progress hint longer than " + MAX_MESSAGE_BYTES);
            }
        }

        public RecordType type() {
            return RecordType.PROGRESS_HINT;
        }
    }

    /**
     * Says "still here" (PROTOCOL §3.5): sent by both ends on both connections once authenticated, whenever
     * the end has written nothing else for the heartbeat interval. Empty body; sessions never see it.
     */
    record Heartbeat() implements MigrationRecord {
        public RecordType type() {
            return RecordType.HEARTBEAT;
        }
    }

    /**
     * Opens every connection of a post-copy recovery (PROTOCOL §5.6), as the source's first record after
     * the handshake: which attempt this is. The migration's first connections are epoch 0; each recovery
     * takes the next, so a connection of an earlier epoch is known as stale and refused.
     */
    record Recover(int epoch) implements MigrationRecord {
        public Recover {
            if (epoch <= 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "recovery epoch " + epoch);
            }
        }

        public RecordType type() {
            return RecordType.RECOVER;
        }
    }

    /**
     * The destination's answer to RECOVER on the new bulk connection: the epoch it accepted and the pages
     * it holds (bit p set = page p arrived, or was never pending), so the source resends exactly the rest.
     */
    record Recovered(int epoch, long receivedCount, byte[] receivedBitmap) implements MigrationRecord {
        public Recovered {
            if (epoch <= 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "recovery epoch " + epoch);
            }
            if (receivedCount < 0) {
                throw new ProtocolException(AbortReason.MALFORMED, "received " + receivedCount);
            }
            receivedBitmap = receivedBitmap.clone();
        }

        @Override
        public byte[] receivedBitmap() {
            return receivedBitmap.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Recovered r && r.epoch == epoch && r.receivedCount == receivedCount
                    && Arrays.equals(r.receivedBitmap, receivedBitmap);
        }

        @Override
        public int hashCode() {
            return (epoch * 31 + Long.hashCode(receivedCount)) * 31 + Arrays.hashCode(receivedBitmap);
        }

        public RecordType type() {
            return RecordType.RECOVERED;
        }
    }
}
