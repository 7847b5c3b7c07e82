package org.migrationlab.migration.progress;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The guest's progress counters at one moment (guest_abi.h: counter 0 is the main unit of progress,
 * counter 1 counts passes, the others belong to the workload).
 */
public record ProgressCounters(List<Long> values) {
    public static final int PROGRESS = 0;
    public static final int PASSES = 1;

    public ProgressCounters {
        values = List.copyOf(values);
        if (values.size() <= PASSES) {
            throw new IllegalArgumentException("need at least the progress and passes counters, got " + values.size());
        }
    }

    public static ProgressCounters of(long[] values) {
        return new ProgressCounters(java.util.Arrays.stream(values).boxed().toList());
    }

    public long progress() {
        return values.get(PROGRESS);
    }

    public long passes() {
        return values.get(PASSES);
    }

    /**
     * Counters by report name: {@code progress} and {@code passes} always, {@code counter-N} for each
     * other counter that is not zero.
     */
    public Map<String, Long> named() {
        Map<String, Long> named = new LinkedHashMap<>();
        named.put("progress", progress());
        named.put("passes", passes());
        for (int i = PASSES + 1; i < values.size(); i++) {
            if (values.get(i) != 0) {
                named.put("counter-" + i, values.get(i));
            }
        }
        return named;
    }
}
