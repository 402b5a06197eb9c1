/**
 * The `start_time`/`end_time` of a task-list query that finds every task created in [from, to] whatever
 * time zone the service reads those strings in. The strings carry no zone; this client writes them in
 * UTC+8 (the service's apparent zone, inferred from recorded replies — not documented). Should the
 * service read them in any other zone from UTC−14 to UTC+14, a window of exactly [from, to] would miss
 * tasks and a reconciliation would answer "none" — and pay twice. So the window is widened to cover
 * [from, to] under every such reading (±14 h of UTC wall time), and the tasks are then filtered by
 * `gmt_create`, which is epoch milliseconds and needs no zone.
 */

/** Hours of the widest zone offset a reading of the window could use (UTC−14 … UTC+14). */
export const TASK_LIST_ZONE_SPREAD_HOURS = 14;

/** The zone the strings are written in (see `formatListTime`). */
const WRITTEN_ZONE_HOURS = 8;

const HOUR_MS = 3600_000;

/** The instants to write as `start_time` / `end_time` (through `formatListTime`) for tasks created in [from, to]. */
export function taskListQueryWindow(from: number, to: number): { startTime: Date; endTime: Date } {
  // Written in UTC+8 and read in zone Z, a string means its instant shifted by (8 − Z) h; with Z anywhere
  // in [−14, +14] the start must move back by 8 + 14 h and the end forward by 14 − 8 h.
  return {
    startTime: new Date(from - (WRITTEN_ZONE_HOURS + TASK_LIST_ZONE_SPREAD_HOURS) * HOUR_MS),
    endTime: new Date(to + (TASK_LIST_ZONE_SPREAD_HOURS - WRITTEN_ZONE_HOURS) * HOUR_MS),
  };
}
