/** JMH micro-benchmarks. Run them with {@code bin/bench jmh}; they print figures and assert nothing. */
package org.migrationlab.bench.jmh;
