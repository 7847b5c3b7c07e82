/**
 * The live view: a page served from the migrating JVM (Netty's HTTP codec and WebSocket handler, assets
 * from the jar) that draws the guest's memory one cell per page as the migration goes, with its phase,
 * counters and a timeline of the link. The engine tells {@link org.migrationlab.vmm.web.PageMap} of each
 * page through its observer port; a ticker sends the browser what changed ten times a second.
 */
package org.migrationlab.vmm.web;
