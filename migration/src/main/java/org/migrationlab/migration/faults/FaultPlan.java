package org.migrationlab.migration.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.StringJoiner;

/**
 * A fault plan (docs/FAULTS.md): a seed and the faults to inject, in order. Parsed once from text such as
 * {@code seed=7; close bulk at postcopy 30%; silence urgent at postcopy 10% for 2s}; {@code random K}
 * expands, at parse time, into K faults drawn from the seed, so the plan printed back ({@link #print()},
 * the canonical form) names every fault and replays the same migration when parsed again. The seed also
 * draws what a fault leaves open (each delay's length).
 *
 * @param seed   drives {@code random K} and the delays; 0 when the text names none
 * @param faults the faults, expanded
 */
public record FaultPlan(long seed, List<Fault> faults) {
    /** The most faults a plan may hold (with {@code random K} expanded). */
    public static final int MAX_FAULTS = 64;

    public FaultPlan {
        faults = List.copyOf(faults);
        if (faults.size() > MAX_FAULTS) {
            throw new IllegalArgumentException("a fault plan holds at most " + MAX_FAULTS + " faults, got " + faults.size());
        }
        if (seed < 0) {
            throw new IllegalArgumentException("the seed must not be negative: " + seed);
        }
    }

    /** No fault at all. */
    public static final FaultPlan NONE = new FaultPlan(0, List.of());

    /** The canonical text: {@code seed=N} then every fault, separated by {@code "; "}. */
    public String print() {
        StringJoiner text = new StringJoiner("; ");
        text.add("seed=" + seed);
        faults.forEach(f -> text.add(f.print()));
        return text.toString();
    }

    @Override
    public String toString() {
        return print();
    }

    /**
     * The plan's process kills: the source announces each as it fires, and whoever runs the processes (the
     * demo, a test) kills the one named; the network faults the source injects itself.
     */
    public List<Fault> kills() {
        return faults.stream().filter(f -> f instanceof Fault.Kill).toList();
    }

    /**
     * Parses a plan (docs/FAULTS.md). Items are separated by {@code ;}; words by blanks; case does not
     * matter. Throws {@link IllegalArgumentException} naming the item and what was expected.
     */
    public static FaultPlan parse(String text) {
        String[] items = text.split(";", -1);
        Long seed = null;
        List<Integer> randomCounts = new ArrayList<>(); // the position of each random K among the faults, and K
        List<Object> entries = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim().toLowerCase(Locale.ROOT);
            if (item.isEmpty()) {
                continue;
            }
            Words words = new Words(item, i + 1);
            String first = words.next("a fault, seed=N or random K");
            if (first.startsWith("seed=")) {
                if (seed != null) {
                    throw words.error("a second seed");
                }
                seed = words.number(first.substring(5), "a seed after seed=", Long.MAX_VALUE);
                if (words.hasNext()) {
                    words.expect("random");
                    entries.add(new RandomFaults((int) words.number(words.next("a count"), "a count", MAX_FAULTS)));
                }
            } else if (first.equals("random")) {
                entries.add(new RandomFaults((int) words.number(words.next("a count"), "a count", MAX_FAULTS)));
            } else {
                entries.add(fault(first, words));
            }
            words.end();
        }
        long planSeed = seed == null ? 0 : seed;
        Random random = new Random(planSeed);
        List<Fault> faults = new ArrayList<>();
        for (Object entry : entries) {
            if (entry instanceof RandomFaults r) {
                for (int k = 0; k < r.count(); k++) {
                    faults.add(randomFault(random));
                }
            } else {
                faults.add((Fault) entry);
            }
        }
        return new FaultPlan(planSeed, faults);
    }

    /** A {@code random K} item, expanded once every item is read (the seed may come after it). */
    private record RandomFaults(int count) {
    }

    private static Fault fault(String kind, Words words) {
        return switch (kind) {
            case "close" -> new Fault.Close(link(words), trigger(words));
            case "silence" -> {
                Fault.Link link = link(words);
                Trigger trigger = trigger(words);
                long forMillis = 0;
                if (words.hasNext()) {
                    words.expect("for");
                    forMillis = words.duration("a duration such as 2s or 500ms");
                    if (forMillis == 0) {
                        throw words.error("a silence of 0ms; leave out 'for' to silence for good");
                    }
                }
                yield new Fault.Silence(link, trigger, forMillis);
            }
            case "delay" -> {
                Fault.Link link = link(words);
                String range = words.next("a delay such as 5ms or 1ms-20ms");
                int dash = range.indexOf('-');
                long min = words.durationOf(dash < 0 ? range : range.substring(0, dash), "a delay such as 5ms or 1ms-20ms");
                long max = dash < 0 ? min : words.durationOf(range.substring(dash + 1), "a delay such as 5ms or 1ms-20ms");
                Trigger trigger = trigger(words);
                try {
                    yield new Fault.Delay(link, min, max, trigger);
                } catch (IllegalArgumentException e) {
                    throw words.error(e.getMessage());
                }
            }
            case "corrupt" -> {
                int pages = (int) words.number(words.next("a page count"), "a page count", Fault.Corrupt.MAX_PAGES);
                String unit = words.next("'page' or 'pages'");
                if (!unit.equals("page") && !unit.equals("pages")) {
                    throw words.error("expected 'page' or 'pages', found '" + unit + "'");
                }
                if (pages == 0) {
                    throw words.error("corrupt 0 pages is no fault");
                }
                yield new Fault.Corrupt(pages, trigger(words));
            }
            case "kill" -> {
                String side = words.next("'source' or 'destination'");
                Fault.Side named = switch (side) {
                    case "source" -> Fault.Side.SOURCE;
                    case "destination" -> Fault.Side.DESTINATION;
                    default -> throw words.error("expected 'source' or 'destination', found '" + side + "'");
                };
                yield new Fault.Kill(named, trigger(words));
            }
            default -> throw words.error("unknown fault '" + kind + "' (close, silence, delay, corrupt, kill; or seed=N, random K)");
        };
    }

    private static Fault.Link link(Words words) {
        String link = words.next("'bulk' or 'urgent'");
        return switch (link) {
            case "bulk" -> Fault.Link.BULK;
            case "urgent" -> Fault.Link.URGENT;
            default -> throw words.error("expected 'bulk' or 'urgent', found '" + link + "'");
        };
    }

    private static Trigger trigger(Words words) {
        words.expect("at");
        String phase = words.next("'precopy', 'switch-over' or 'postcopy'");
        return switch (phase) {
            case "switch-over" -> new Trigger.SwitchOver();
            case "precopy" -> {
                String next = words.next("'round N' or a share such as 30%");
                if (next.equals("round")) {
                    yield new Trigger.PrecopyRound((int) words.number(words.next("a round"), "a round", Trigger.MAX_ROUND));
                }
                yield new Trigger.PrecopyShare(words.percent(next));
            }
            case "postcopy" -> new Trigger.PostcopyShare(words.percent(words.next("a share such as 30%")));
            default -> throw words.error("expected 'precopy', 'switch-over' or 'postcopy' after 'at', found '" + phase + "'");
        };
    }

    /**
     * One fault drawn from {@code random}: the network kinds only (a kill needs a harness to carry it out), with
     * triggers spread over pre-copy, the switch-over and post-copy.
     */
    private static Fault randomFault(Random random) {
        Trigger trigger = switch (random.nextInt(4)) {
            case 0 -> new Trigger.PrecopyShare(1 + random.nextInt(99));
            case 1 -> new Trigger.PrecopyRound(random.nextInt(4));
            case 2 -> new Trigger.SwitchOver();
            default -> new Trigger.PostcopyShare(random.nextInt(100));
        };
        Fault.Link link = random.nextBoolean() ? Fault.Link.BULK : Fault.Link.URGENT;
        return switch (random.nextInt(4)) {
            case 0 -> new Fault.Close(link, trigger);
            case 1 -> new Fault.Silence(link, trigger, 100L * (1 + random.nextInt(50)));
            case 2 -> {
                long min = random.nextInt(11);
                yield new Fault.Delay(link, min, min + 1 + random.nextInt(50), trigger);
            }
            default -> new Fault.Corrupt(1 + random.nextInt(3), trigger);
        };
    }

    /** The words of one item, with errors that name the item. */
    private static final class Words {
        private final String item;
        private final int index;
        private final String[] words;
        private int next;

        Words(String item, int index) {
            this.item = item;
            this.index = index;
            this.words = item.split("\\s+");
        }

        boolean hasNext() {
            return next < words.length;
        }

        String next(String expected) {
            if (!hasNext()) {
                throw error("expected " + expected + " at the end");
            }
            return words[next++];
        }

        void expect(String word) {
            String found = next("'" + word + "'");
            if (!found.equals(word)) {
                throw error("expected '" + word + "', found '" + found + "'");
            }
        }

        void end() {
            if (hasNext()) {
                throw error("unexpected '" + words[next] + "'");
            }
        }

        long number(String text, String expected, long max) {
            if (!text.matches("\\d{1,19}")) {
                throw error("expected " + expected + ", found '" + text + "'");
            }
            try {
                long value = Long.parseLong(text);
                if (value > max) {
                    throw error(expected + " of at most " + max + ", found " + text);
                }
                return value;
            } catch (NumberFormatException e) {
                throw error("expected " + expected + ", found '" + text + "'");
            }
        }

        int percent(String text) {
            if (!text.matches("\\d{1,3}%") || Integer.parseInt(text.substring(0, text.length() - 1)) > 100) {
                throw error("expected a share from 0% to 100%, found '" + text + "'");
            }
            return Integer.parseInt(text.substring(0, text.length() - 1));
        }

        long duration(String expected) {
            return durationOf(next(expected), expected);
        }

        long durationOf(String text, String expected) {
            long millis = Durations.parse(text);
            if (millis < 0) {
                throw error("expected " + expected + " (whole ms or s, at most 3600s), found '" + text + "'");
            }
            return millis;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("fault plan, item " + index + " ('" + item + "'): " + what);
        }
    }
}
