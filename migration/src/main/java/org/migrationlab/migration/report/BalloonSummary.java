package org.migrationlab.migration.report;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the guest's self-balloon did, as a report shows it: the {@code balloon} object of the JSON
 * reports (run, migration, daemon).
 *
 * @param dsb               the guest's {@code dsb} boot argument: "on" or "off"
 * @param sizePages         pages the balloon held at the switch-over (a run: at the end)
 * @param inflations        inflate calls the host accepted, since boot
 * @param deflations        deflate calls, since boot
 * @param pressureDeflations deflate calls made because the guest needed memory at once
 * @param pagesReturned     pages the guest handed to the host (inflated), since boot
 * @param pagesReclaimed    pages the guest took back (deflated), since boot
 * @param savedPages        page sends the migration skipped because the page was ballooned (each round,
 *                          the switch-over and post-copy count once per page they skipped); a run
 *                          without migration reports the balloon's size, what a migration would skip now
 */
public record BalloonSummary(@JsonProperty("dsb") String dsb,
                             @JsonProperty("size-pages") long sizePages,
                             @JsonProperty("inflations") long inflations,
                             @JsonProperty("deflations") long deflations,
                             @JsonProperty("pressure-deflations") long pressureDeflations,
                             @JsonProperty("pages-returned") long pagesReturned,
                             @JsonProperty("pages-reclaimed") long pagesReclaimed,
                             @JsonProperty("saved-pages") long savedPages) {
    /** No balloon device, or a guest that never used it. */
    public static final BalloonSummary NONE = new BalloonSummary("off", 0, 0, 0, 0, 0, 0, 0);

    /** The balloon of a guest booted with {@code config}, from its device's figures; no pages saved yet. */
    public static BalloonSummary of(org.migrationlab.emulator.machine.MachineConfig config,
                                    org.migrationlab.emulator.port.BalloonControl.BalloonFigures figures) {
        String dsb = "on".equals(config.bootArgs().args().get("dsb")) ? "on" : "off";
        return new BalloonSummary(dsb, figures.balloonPages(), figures.inflations(), figures.deflations(),
                figures.pressureDeflations(), figures.pagesReturned(), figures.pagesReclaimed(), 0);
    }

    public BalloonSummary withSavedPages(long pages) {
        return new BalloonSummary(dsb, sizePages, inflations, deflations, pressureDeflations, pagesReturned,
                pagesReclaimed, pages);
    }
}
