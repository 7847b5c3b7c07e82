/**
 * {@code vmm eval}: the paper's experiments rerun in this lab, side by side with the paper's figures. An
 * {@link org.migrationlab.vmm.eval.Experiment} plans its migrations, a {@link org.migrationlab.vmm.eval.Runner}
 * runs each one in this JVM over a shaped loopback link and checks the migrated guest against an unmigrated
 * run, and {@link org.migrationlab.vmm.eval.ReportFolder} writes the tables, plots and raw runs.
 */
package org.migrationlab.vmm.eval;
