/**
 * Reading the input ahead of the look-ahead window, so that slow preparation (HED) of later items
 * starts while earlier items go through upload and submit: the task slot never waits for HED while
 * another item is ready.
 */
import type { BatchItem } from '../item.js';

/** Whether preparing the item runs HED (it has cut-out elements). */
export function needsHed(item: BatchItem): boolean {
  return [...(item.foreground ?? []), ...(item.background ?? [])].some((el) => 'cutout' in el);
}

/**
 * Yields `source`'s values in order while keeping up to `depth` of them read ahead; `onRead` sees each
 * value as soon as it is read. Stopping the iteration stops the source.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth: number, onRead: (value: T) => void): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const buffer: T[] = [];
  let done = false;
  try {
    for (;;) {
      while (!done && buffer.length < Math.max(1, depth)) {
        const r = await it.next();
        if (r.done) {
          done = true;
          break;
        }
        onRead(r.value);
        buffer.push(r.value);
      }
      if (buffer.length === 0) return;
      yield buffer.shift() as T;
    }
  } finally {
    if (!done) await it.return?.();
  }
}
