package org.migrationlab.migration.journal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Entries as text for a store: a key that sorts a migration's entries by sequence, and a value of
 * tab-separated fields behind a version tag. Text keeps a journal readable with any tool, and the tag lets a
 * later format read this one.
 */
public final class EntryCodec {
    private static final String VERSION = "v1";

    private EntryCodec() {
    }

    public static String key(UUID migrationId, int sequence) {
        return migrationId + "#" + String.format("%06d", sequence);
    }

    public static String encode(JournalEntry e) {
        return String.join("\t", VERSION, e.migrationId().toString(), Integer.toString(e.sequence()),
                e.phase().label(), e.owner().label(), Long.toString(e.epoch()), escape(e.guest()), escape(e.peer()),
                escape(e.faultPlanSeed()), e.updatedAt().toString());
    }

    /** @throws IllegalArgumentException when {@code value} is not an entry this codec wrote */
    public static JournalEntry decode(String value) {
        String[] f = value.split("\t", -1);
        if (f.length != 10 || !VERSION.equals(f[0])) {
            throw new IllegalArgumentException("not a journal entry: " + value);
        }
        try {
            return new JournalEntry(UUID.fromString(f[1]), Integer.parseInt(f[2]), Phase.ofLabel(f[3]),
                    Owner.valueOf(f[4].toUpperCase()), Long.parseLong(f[5]), unescape(f[6]), unescape(f[7]),
                    unescape(f[8]), Instant.parse(f[9]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a journal entry: " + value, e);
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                out.append(next == 't' ? '\t' : next == 'n' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Sorted as {@link JournalStore#entries()} promises. */
    public static List<JournalEntry> sorted(List<JournalEntry> entries) {
        List<JournalEntry> copy = new ArrayList<>(entries);
        copy.sort((a, b) -> a.migrationId().equals(b.migrationId()) ? Integer.compare(a.sequence(), b.sequence())
                : a.migrationId().toString().compareTo(b.migrationId().toString()));
        return List.copyOf(copy);
    }
}
