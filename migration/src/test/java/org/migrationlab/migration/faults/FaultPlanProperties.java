package org.migrationlab.migration.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Every plan prints to a text that parses back to the same plan; every seed expands the same way twice. */
class FaultPlanProperties {

    @Property(tries = 500)
    void aPrintedPlanParsesBackToItself(@ForAll("plans") FaultPlan plan) {
        String text = plan.print();
        assertThat(FaultPlan.parse(text)).isEqualTo(plan);
        assertThat(FaultPlan.parse(text).print()).isEqualTo(text);
    }

    @Property(tries = 100)
    void aSeedExpandsToOnePlan(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
                               @ForAll @IntRange(min = 0, max = FaultPlan.MAX_FAULTS) int count) {
        FaultPlan plan = FaultPlan.parse("seed=" + seed + " random " + count);
        assertThat(plan.faults()).hasSize(count);
        assertThat(FaultPlan.parse("seed=" + seed + "; random " + count)).isEqualTo(plan);
        assertThat(FaultPlan.parse(plan.print())).isEqualTo(plan);
    }

    @Provide
    Arbitrary<FaultPlan> plans() {
        return Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE), faults().list().ofMaxSize(FaultPlan.MAX_FAULTS))
                .as((seed, faults) -> new FaultPlan(seed, List.copyOf(faults)));
    }

    private static Arbitrary<Fault> faults() {
        Arbitrary<Fault.Link> links = Arbitraries.of(Fault.Link.class);
        Arbitrary<Trigger> triggers = triggers();
        Arbitrary<Long> millis = Arbitraries.oneOf(Arbitraries.longs().between(0, Fault.MAX_MILLIS),
                Arbitraries.longs().between(0, Fault.MAX_MILLIS / 1000).map(s -> s * 1000));
        Arbitrary<Fault> close = Combinators.combine(links, triggers).as(Fault.Close::new);
        Arbitrary<Fault> silence = Combinators.combine(links, triggers, millis).as(Fault.Silence::new);
        Arbitrary<Fault> delay = Combinators.combine(links, millis, millis.filter(m -> m > 0), triggers)
                .as((link, a, b, trigger) -> new Fault.Delay(link, Math.min(a, b), Math.max(a, b), trigger));
        Arbitrary<Fault> corrupt = Combinators.combine(Arbitraries.integers().between(1, Fault.Corrupt.MAX_PAGES), triggers)
                .as(Fault.Corrupt::new);
        Arbitrary<Fault> kill = Combinators.combine(Arbitraries.of(Fault.Side.class), triggers).as(Fault.Kill::new);
        return Arbitraries.oneOf(close, silence, delay, corrupt, kill);
    }

    private static Arbitrary<Trigger> triggers() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, Trigger.MAX_ROUND).map(Trigger.PrecopyRound::new),
                Arbitraries.integers().between(0, 100).map(Trigger.PrecopyShare::new),
                Arbitraries.just(new Trigger.SwitchOver()),
                Arbitraries.integers().between(0, 100).map(Trigger.PostcopyShare::new));
    }
}
