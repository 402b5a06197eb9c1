/**
 * The emulator's notion of time: wall-clock time plus an offset that tests can advance, and the
 * service's time formats (China Standard Time, UTC+8, as in recorded replies).
 */

const SERVICE_UTC_OFFSET_MS = 8 * 3600_000;

/** Wall-clock milliseconds plus an adjustable offset (see `Emulator.advanceClock`). */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `YYYY-MM-DD hh:mm:ss.SSS` in service-local time, like `submit_time` in task replies. */
export function formatServiceTime(epochMs: number): string {
  const d = new Date(epochMs + SERVICE_UTC_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
  );
}

/** `YYYYMMDD` of service-local time, used in upload directories and result paths. */
export function formatServiceDate(epochMs: number): string {
  const d = new Date(epochMs + SERVICE_UTC_OFFSET_MS);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** Parses the list filter format `YYYYMMDDhhmmss` (service-local time); `undefined` when malformed. */
export function parseServiceCompactTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second) - SERVICE_UTC_OFFSET_MS;
}
