package org.migrationlab.migration.precopy.stop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StopPoliciesTest {

    @Test
    void namesEveryPolicy() {
        assertThat(StopPolicies.names()).containsExactly("xen", "downtime", "auto-converge");
        assertThat(StopPolicies.create("xen")).isInstanceOf(XenStopPolicy.class);
        assertThat(StopPolicies.create("downtime")).isInstanceOf(DowntimeTargetPolicy.class);
        assertThat(StopPolicies.create("auto-converge")).isInstanceOf(AutoConvergePolicy.class);
    }

    @Test
    void givesEachMigrationItsOwnInstance() {
        assertThat(StopPolicies.create("auto-converge")).isNotSameAs(StopPolicies.create("auto-converge"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> StopPolicies.create("qemu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown stop policy 'qemu'; known: xen, downtime, auto-converge");
        assertThatThrownBy(() -> StopPolicies.create(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
