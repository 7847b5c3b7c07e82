/**
 * Dynamic self-ballooning (DESIGN 6). The guest port 0xE6 is reserved for this module's device; the
 * driver, device and policy arrive with the self-ballooning issue. Depends on the emulator only.
 */
package org.migrationlab.balloon;
