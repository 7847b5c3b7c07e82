package org.migrationlab.migration.testing;

import java.lang.foreign.ValueLayout;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

import org.migrationlab.emulator.port.Migratable;
import org.migrationlab.emulator.port.PageWriter;

/**
 * A destination machine that damages what arrives, so that a test can show the oracle catches it: the
 * negative control of every "identical" verdict. Either one byte of one page is flipped each time the page
 * is installed or filled, or the first copy of a page that arrives a second time (a pre-copy resend, or the
 * stop-and-copy) is dropped, leaving the stale one.
 */
public final class CorruptingMachine extends ForwardingMigratable {
    private final long flipPage;
    private final int flipOffset;
    private final LongPredicate dropResendOf;
    private final Set<Long> installed = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong(-1);
    private final AtomicLong flips = new AtomicLong();

    private CorruptingMachine(Migratable delegate, long flipPage, int flipOffset, LongPredicate dropResendOf) {
        super(delegate);
        this.flipPage = flipPage;
        this.flipOffset = flipOffset;
        this.dropResendOf = dropResendOf;
    }

    /** Flips the lowest bit of byte {@code offset} of {@code page} whenever the page arrives. */
    public static CorruptingMachine flippingOneByte(Migratable delegate, long page, int offset) {
        return new CorruptingMachine(delegate, page, offset, p -> false);
    }

    /** Drops the second copy of the first page that arrives twice and that {@code pages} accepts. */
    public static CorruptingMachine droppingOneResend(Migratable delegate, LongPredicate pages) {
        return new CorruptingMachine(delegate, -1, 0, pages);
    }

    /** The page whose resend was dropped, or -1. */
    public long droppedPage() {
        return dropped.get();
    }

    /** How often the flipped page arrived (and was flipped). */
    public long flips() {
        return flips.get();
    }

    private PageWriter flipped(long page, PageWriter contents) {
        if (page != flipPage) {
            return contents;
        }
        flips.incrementAndGet();
        return into -> {
            contents.writeInto(into);
            byte b = into.get(ValueLayout.JAVA_BYTE, flipOffset);
            into.set(ValueLayout.JAVA_BYTE, flipOffset, (byte) (b ^ 1));
        };
    }

    private static final PageWriter ZEROS = into -> into.fill((byte) 0);

    /** Whether this arrival is the resend to drop (pre-copy only: before the guest runs here). */
    private boolean dropThis(long page) {
        if (!installed.add(page) && dropResendOf.test(page)) {
            return dropped.compareAndSet(-1, page);
        }
        return false;
    }

    @Override
    public void installPage(long page, PageWriter contents) {
        if (dropThis(page)) {
            return;
        }
        super.installPage(page, flipped(page, contents));
    }

    @Override
    public void installZeroPage(long page) {
        if (dropThis(page)) {
            return;
        }
        if (page == flipPage) {
            super.installPage(page, flipped(page, ZEROS));
        } else {
            super.installZeroPage(page);
        }
    }

    @Override
    public void fillPage(long page, PageWriter contents) {
        super.fillPage(page, flipped(page, contents));
    }

    @Override
    public void fillZeroPage(long page) {
        if (page == flipPage) {
            super.fillPage(page, flipped(page, ZEROS));
        } else {
            super.fillZeroPage(page);
        }
    }
}
