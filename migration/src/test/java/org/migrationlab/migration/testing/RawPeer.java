package org.migrationlab.migration.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import org.migrationlab.migration.protocol.MigrationRecord;
import org.migrationlab.migration.protocol.MigrationRecord.Auth;
import org.migrationlab.migration.protocol.MigrationRecord.Hello;
import org.migrationlab.migration.protocol.MigrationRecord.Role;
import org.migrationlab.migration.protocol.RecordCodec;
import org.migrationlab.migration.transport.Authenticator;
import org.migrationlab.migration.transport.ChannelKeys;
import org.migrationlab.migration.transport.FrameCipher;

/**
 * One end of a migration connection spoken by hand over a plain blocking {@link Socket}, to play a
 * misbehaving peer: it writes whatever bytes it is told (valid records, a wrong version, a wrong proof,
 * mutated frames) and reads the engine's frames back. The handshake helpers use the engine's own
 * {@link Authenticator} and {@link RecordCodec}, so a raw peer can get past authentication and misbehave
 * afterwards: once its own AUTH is out it seals what it sends, frame by frame, as a peer that knows the
 * secret does ({@link #sendUnsealed} skips that), and it checks and removes the seals of what it reads.
 * Not thread-safe: one thread drives one peer.
 */
public final class RawPeer implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** The seal of what this peer sends, from its own AUTH on; null before. */
    private FrameCipher sending;
    /** The seal of what the other end sends, from the other end's AUTH on; null before. */
    private FrameCipher receiving;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to a listening peer; every read waits at most {@code readTimeoutMillis}. */
    public static RawPeer connect(InetSocketAddress address, int readTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, readTimeoutMillis);
            socket.setSoTimeout(readTimeoutMillis);
            return new RawPeer(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Wraps an accepted socket; every read waits at most {@code readTimeoutMillis}. */
    public static RawPeer accepted(Socket socket, int readTimeoutMillis) throws IOException {
        socket.setSoTimeout(readTimeoutMillis);
        return new RawPeer(socket);
    }

    /** The frame of {@code record} as bytes; the record's buffers stay the caller's. */
    public static byte[] encode(MigrationRecord record) {
        ByteBuf frame = RecordCodec.encode(record, UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    /** Frames of several records back to back. */
    public static byte[] encode(List<? extends MigrationRecord> records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (MigrationRecord record : records) {
            bytes.writeBytes(encode(record));
        }
        return bytes.toByteArray();
    }

    public void send(MigrationRecord record) throws IOException {
        sendBytes(encode(record));
    }

    /**
     * Sends frames: after this peer's AUTH each whole frame in {@code bytes} is sealed with the next
     * sequence number (whatever its header says, so mutated records still reach the other end's record
     * checks); bytes after the last whole frame go out as they are.
     */
    public void sendBytes(byte[] bytes) throws IOException {
        out.write(sending == null ? bytes : seal(bytes));
        out.flush();
    }

    /** Sends {@code bytes} as they are, sealed or not. */
    public void sendUnsealed(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One whole unsealed frame sealed by {@code cipher} (for peers forging frames). */
    public static byte[] sealWith(byte[] frame, FrameCipher cipher) {
        return cipher.seal(frame);
    }

    /** The frames of {@code bytes} sealed as this peer's next frames. */
    public byte[] seal(byte[] bytes) {
        ByteArrayOutputStream sealed = new ByteArrayOutputStream(bytes.length + 64);
        int at = 0;
        while (bytes.length - at >= RecordCodec.HEADER_BYTES) {
            long body = Integer.toUnsignedLong((bytes[at + 4] & 0xff) | (bytes[at + 5] & 0xff) << 8
                    | (bytes[at + 6] & 0xff) << 16 | (bytes[at + 7] & 0xff) << 24);
            if (RecordCodec.HEADER_BYTES + body > bytes.length - at) {
                break;
            }
            byte[] frame = java.util.Arrays.copyOfRange(bytes, at, at + RecordCodec.HEADER_BYTES + (int) body);
            sealed.writeBytes(sending.seal(frame));
            at += frame.length;
        }
        sealed.write(bytes, at, bytes.length - at);
        return sealed.toByteArray();
    }

    /** Ends our direction of the stream (the peer reads end-of-stream) but keeps reading possible. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    private int heartbeats;

    /** How many HEARTBEATs {@link #receive} skipped so far. */
    public int heartbeatsReceived() {
        return heartbeats;
    }

    /**
     * Reads one whole frame and decodes it, skipping heartbeats (counted). Page batches are released at once (only their shape is
     * kept: the caller gets a record it must not read the data of).
     *
     * @throws EOFException when the peer closed the stream
     */
    public MigrationRecord receive() throws IOException {
        MigrationRecord record = receiveAny();
        if (record instanceof MigrationRecord.Heartbeat) {
            heartbeats++; // the engine's liveness, not part of what a test plays
            return receive();
        }
        return record;
    }

    /** As {@link #receive}, but returns heartbeats too (not counted). */
    public MigrationRecord receiveAny() throws IOException {
        byte[] frame = open(readFrame());
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        RecordCodec.Decoded decoded = RecordCodec.decode(buf);
        return switch (decoded) {
            case RecordCodec.Decoded.Known known -> {
                ReferenceCountUtil.release(known.record());
                yield known.record();
            }
            case RecordCodec.Decoded.SkippedOptional skipped -> receiveAny();
        };
    }

    /** Reads one frame's bytes (header, body and, for a sealed frame, its seal). */
    public byte[] readFrame() throws IOException {
        byte[] header = new byte[RecordCodec.HEADER_BYTES];
        in.readFully(header);
        long bodyBytes = Integer.toUnsignedLong((header[4] & 0xff) | (header[5] & 0xff) << 8 | (header[6] & 0xff) << 16
                | (header[7] & 0xff) << 24);
        if (bodyBytes > RecordCodec.MAX_FRAME_BODY) {
            throw new IOException("the peer sent a frame of " + bodyBytes + " bytes");
        }
        int seal = (header[2] & RecordCodec.FLAG_SEALED) != 0 ? RecordCodec.SEAL_BYTES : 0;
        byte[] frame = new byte[RecordCodec.HEADER_BYTES + (int) bodyBytes + seal];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readFully(frame, header.length, frame.length - header.length);
        return frame;
    }

    /** A received frame without its seal, after checking the seal; an unsealed frame once seals are due fails. */
    private byte[] open(byte[] frame) throws IOException {
        boolean sealed = (frame[2] & RecordCodec.FLAG_SEALED) != 0;
        if (!sealed) {
            if (receiving != null) {
                throw new IOException("the peer sent an unsealed frame after its AUTH");
            }
            return frame;
        }
        if (receiving == null) {
            throw new IOException("the peer sealed a frame before its AUTH");
        }
        try {
            return receiving.open(frame);
        } catch (FrameCipher.BrokenSealException e) {
            throw new IOException("the peer's seal is wrong: " + e.getMessage(), e);
        }
    }

    /** How the peer's side of the connection ended, and what it sent before. */
    public record Ending(List<MigrationRecord> records, boolean closedByPeer, String how) {
        /** The ABORT the peer sent, if any. */
        public MigrationRecord.Abort abort() {
            return records.stream().filter(r -> r instanceof MigrationRecord.Abort)
                    .map(r -> (MigrationRecord.Abort) r).findFirst().orElse(null);
        }
    }

    /**
     * Reads frames until the peer closes the connection (end of stream or reset) or a read times out;
     * frames that do not decode end the reading too.
     */
    public Ending readUntilClosed() {
        List<MigrationRecord> records = new ArrayList<>();
        while (true) {
            try {
                MigrationRecord record = receive();
                records.add(record);
                if (record instanceof MigrationRecord.Abort) {
                    hangUp();
                }
            } catch (EOFException e) {
                return new Ending(records, true, "end of stream");
            } catch (SocketTimeoutException e) {
                return new Ending(records, false, "read timed out");
            } catch (SocketException e) {
                return new Ending(records, true, e.getMessage());
            } catch (IOException | RuntimeException e) {
                return new Ending(records, false, "undecodable: " + e);
            }
        }
    }

    /**
     * Ends this side of the stream, as a real end does once it read an ABORT: the other end, which drains
     * what still arrives for a grace after its ABORT, then closes at once instead of at the grace's end.
     */
    private void hangUp() {
        if (socket.isOutputShutdown()) {
            return;
        }
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            // already closed by the other end: what follows reads its end of stream
        }
    }

    /** Plays the source's side of the handshake; returns the destination's HELLO. */
    public Hello handshakeAsSource(UUID migrationId, MigrationRecord.Channel channel, byte[] secret) throws IOException {
        Hello own = new Hello(Hello.CURRENT_VERSION, Role.SOURCE, channel, migrationId, Authenticator.newNonce());
        send(own);
        Hello hello = expect(Hello.class);
        ChannelKeys keys = new Authenticator(secret).keys(own, hello, new byte[0]);
        send(new Auth(keys.proof(Role.SOURCE)));
        sending = keys.frames(Role.SOURCE);
        Auth auth = expect(Auth.class);
        if (!keys.verify(Role.DESTINATION, auth.mac())) {
            throw new IOException("the destination's proof is wrong");
        }
        receiving = keys.frames(Role.DESTINATION);
        return hello;
    }

    /**
     * Plays the destination's side of the handshake, proving {@code secret} (which may be wrong);
     * returns the source's HELLO. The source's proof is not checked.
     */
    public Hello handshakeAsDestination(byte[] secret) throws IOException {
        return handshakeAsDestination(secret, Hello.CURRENT_VERSION);
    }

    /** As {@link #handshakeAsDestination(byte[])}, answering with a HELLO of the given version. */
    public Hello handshakeAsDestination(byte[] secret, int version) throws IOException {
        Hello hello = expect(Hello.class);
        Hello own = new Hello(version, Role.DESTINATION, hello.channel(), hello.migrationId(), Authenticator.newNonce());
        send(own);
        expect(Auth.class);
        ChannelKeys keys = new Authenticator(secret).keys(hello, own, new byte[0]);
        receiving = keys.frames(Role.SOURCE);
        send(new Auth(keys.proof(Role.DESTINATION)));
        sending = keys.frames(Role.DESTINATION);
        return hello;
    }

    /** Receives the next record and checks its type. */
    public <T extends MigrationRecord> T expect(Class<T> type) throws IOException {
        MigrationRecord record = receive();
        if (!type.isInstance(record)) {
            throw new IOException("expected " + type.getSimpleName() + ", got " + record);
        }
        return type.cast(record);
    }

    /** Closes with a reset (RST) instead of an orderly end of stream. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
