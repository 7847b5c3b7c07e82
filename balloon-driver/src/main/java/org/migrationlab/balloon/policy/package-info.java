/**
 * Balloon policies: pure functions from what the guest's driver reports (and what the balloon device
 * remembers) to the balloon size the guest should move toward. {@link org.migrationlab.balloon.policy.BalloonPolicy}
 * is the interface, {@link org.migrationlab.balloon.policy.SelfBalloonPolicy} the dynamic self-ballooning
 * of Hines and Gopalan (VEE'09), {@link org.migrationlab.balloon.policy.NoBalloon} the off switch, and
 * {@link org.migrationlab.balloon.policy.BalloonPolicies} the registry by name. No threads, clocks or I/O;
 * depends on nothing else in the project.
 */
package org.migrationlab.balloon.policy;
