package org.migrationlab.migration.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The fault-plan grammar (docs/FAULTS.md): what it parses to, its canonical text, and what it refuses. */
class FaultPlanTest {

    @Test
    void theIssuesExampleParsesToItsFaultsAndPrintsBackCanonically() {
        FaultPlan plan = FaultPlan.parse("seed=7; close bulk at postcopy 30%; silence urgent at postcopy 10% for 2s; "
                + "delay bulk 1ms-20ms at precopy round 1; corrupt 1 page at precopy 20%; kill destination at postcopy 40%");

        assertThat(plan.seed()).isEqualTo(7);
        assertThat(plan.faults()).containsExactly(
                new Fault.Close(Fault.Link.BULK, new Trigger.PostcopyShare(30)),
                new Fault.Silence(Fault.Link.URGENT, new Trigger.PostcopyShare(10), 2_000),
                new Fault.Delay(Fault.Link.BULK, 1, 20, new Trigger.PrecopyRound(1)),
                new Fault.Corrupt(1, new Trigger.PrecopyShare(20)),
                new Fault.Kill(Fault.Side.DESTINATION, new Trigger.PostcopyShare(40)));
        assertThat(plan.print()).isEqualTo("seed=7; close bulk at postcopy 30%; silence urgent at postcopy 10% for 2s; "
                + "delay bulk 1ms-20ms at precopy round 1; corrupt 1 page at precopy 20%; kill destination at postcopy 40%");
        assertThat(plan.kills()).containsExactly(new Fault.Kill(Fault.Side.DESTINATION, new Trigger.PostcopyShare(40)));
    }

    @Test
    void looseSpellingsPrintInOneCanonicalForm() {
        FaultPlan plan = FaultPlan.parse("  CLOSE  Bulk at PRECOPY 30% ;; silence bulk at switch-over for 1500ms;"
                + " delay urgent 5ms at postcopy 0%; corrupt 3 pages at precopy round 0; silence urgent at precopy 1% for 3000ms;");

        assertThat(plan.print()).isEqualTo("seed=0; close bulk at precopy 30%; silence bulk at switch-over for 1500ms; "
                + "delay urgent 5ms at postcopy 0%; corrupt 3 pages at precopy round 0; silence urgent at precopy 1% for 3s");
        assertThat(FaultPlan.parse(plan.print())).isEqualTo(plan);
    }

    @Test
    void aSeedAloneIsAnEmptyPlan() {
        assertThat(FaultPlan.parse("seed=42")).isEqualTo(new FaultPlan(42, List.of()));
        assertThat(FaultPlan.parse("").print()).isEqualTo("seed=0");
    }

    @Test
    void theSameSeedExpandsToTheSamePlanAndAnotherSeedToAnother() {
        FaultPlan once = FaultPlan.parse("seed=7 random 12");
        FaultPlan again = FaultPlan.parse("random 12; seed=7");

        assertThat(once.faults()).hasSize(12);
        assertThat(again).isEqualTo(once);
        assertThat(FaultPlan.parse(once.print())).isEqualTo(once); // the expanded plan replays itself
        assertThat(FaultPlan.parse("seed=8 random 12")).isNotEqualTo(once);
        assertThat(once.kills()).isEmpty(); // random plans draw only the faults the source injects itself
    }

    @Test
    void randomFaultsTakeTheirPlaceAmongTheNamedOnes() {
        FaultPlan plan = FaultPlan.parse("seed=3; close bulk at precopy 5%; random 2; silence bulk at switch-over");

        assertThat(plan.faults()).hasSize(4);
        assertThat(plan.faults().getFirst()).isEqualTo(new Fault.Close(Fault.Link.BULK, new Trigger.PrecopyShare(5)));
        assertThat(plan.faults().getLast()).isEqualTo(new Fault.Silence(Fault.Link.BULK, new Trigger.SwitchOver(), 0));
        assertThat(plan.faults().subList(1, 3)).isEqualTo(FaultPlan.parse("seed=3 random 2").faults());
    }

    @Test
    void mistakesAreRefusedNamingTheItem() {
        assertRefused("close bulk at precopy 30", "item 1 ('close bulk at precopy 30'): expected a share from 0% to 100%, found '30'");
        assertRefused("seed=1; close disk at precopy 30%", "item 2 ('close disk at precopy 30%'): expected 'bulk' or 'urgent', found 'disk'");
        assertRefused("silence bulk at precopy 101%", "expected a share from 0% to 100%, found '101%'");
        assertRefused("silence bulk at precopy 1% for 2 s", "expected a duration such as 2s or 500ms (whole ms or s, at most 3600s), found '2'");
        assertRefused("silence bulk at precopy 1% for 0ms", "a silence of 0ms");
        assertRefused("delay bulk 20ms-1ms at precopy 1%", "ends before it starts");
        assertRefused("corrupt 0 pages at precopy 1%", "corrupt 0 pages is no fault");
        assertRefused("kill everyone at precopy 1%", "expected 'source' or 'destination', found 'everyone'");
        assertRefused("close bulk at noon", "expected 'precopy', 'switch-over' or 'postcopy' after 'at', found 'noon'");
        assertRefused("close bulk at precopy 1% now", "unexpected 'now'");
        assertRefused("reboot bulk at precopy 1%", "unknown fault 'reboot'");
        assertRefused("seed=1; seed=2", "a second seed");
        assertRefused("seed=x", "expected a seed after seed=, found 'x'");
        assertRefused("random 65", "a count of at most 64, found 65");
    }

    private static void assertRefused(String text, String message) {
        assertThatThrownBy(() -> FaultPlan.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void theScheduleFiresEachFaultOnceAtItsEvent() {
        FaultSchedule schedule = new FaultSchedule(FaultPlan.parse("close bulk at precopy 30%; corrupt 1 page at precopy round 1;"
                + " silence urgent at switch-over; close urgent at postcopy 50%"));

        assertThat(schedule.guestPages(100)).isEmpty();
        assertThat(schedule.pagesSent(true, false, 0, 29)).isEmpty();
        assertThat(schedule.pagesSent(true, false, 0, 1)).containsExactly(new Fault.Close(Fault.Link.BULK, new Trigger.PrecopyShare(30)));
        assertThat(schedule.pagesSent(true, false, 0, 70)).isEmpty();
        assertThat(schedule.pagesSent(true, false, 1, 1)).containsExactly(new Fault.Corrupt(1, new Trigger.PrecopyRound(1)));
        assertThat(schedule.pagesSent(true, true, 0, 5)).isEmpty();
        assertThat(schedule.switchOver(10)).containsExactly(new Fault.Silence(Fault.Link.URGENT, new Trigger.SwitchOver(), 0));
        assertThat(schedule.pagesSent(false, false, 0, 4)).isEmpty();
        assertThat(schedule.pagesSent(false, false, 0, 1)).containsExactly(new Fault.Close(Fault.Link.URGENT, new Trigger.PostcopyShare(50)));
        assertThat(schedule.pagesSent(false, false, 0, 5)).isEmpty();
    }

    @Test
    void aPostcopyTriggerNeverFiresInAPrecopyMigration() {
        FaultSchedule schedule = new FaultSchedule(FaultPlan.parse("close bulk at postcopy 0%"));
        schedule.guestPages(10);
        assertThat(schedule.pagesSent(true, false, 0, 10)).isEmpty();
        assertThat(schedule.pagesSent(true, true, 0, 10)).isEmpty();
        assertThat(schedule.switchOver(0)).isEmpty();
    }

    @Test
    void onlyTheSwitchOverAndPostcopyTriggersFireOnceTheGuestIsNoLongerTheSourcesAlone() {
        assertThat(new Trigger.SwitchOver().fromSwitchOver()).isTrue();
        assertThat(new Trigger.PostcopyShare(0).fromSwitchOver()).isTrue();
        assertThat(new Trigger.PrecopyShare(100).fromSwitchOver()).isFalse();
        assertThat(new Trigger.PrecopyRound(3).fromSwitchOver()).isFalse();
    }
}
