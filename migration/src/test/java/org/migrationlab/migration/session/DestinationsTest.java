package org.migrationlab.migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class DestinationsTest {
    /** Peers may fail sessions before their switch-over without end: what is remembered of them is bounded. */
    @Test
    void onlyTheLatestEndingsBeforeTheSwitchOverAreRemembered() {
        Destinations destinations = new Destinations(null, 4, 1L << 30, 1_000, session -> { });
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < Destinations.REMEMBERED_ENDINGS + 10; i++) {
            UUID id = new UUID(0, i);
            ids.add(id);
            destinations.sourceTold(id);
        }
        assertThat(ids.subList(0, 10)).noneMatch(destinations::remembersEndingOf);
        assertThat(ids.subList(10, ids.size())).allMatch(destinations::remembersEndingOf);
    }
}
