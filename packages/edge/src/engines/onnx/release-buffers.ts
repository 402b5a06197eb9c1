/**
 * Frees large ArrayBuffers now rather than at some later major garbage collection: transferring them
 * through a MessageChannel detaches them here, and closing both ports drops the message that owns them.
 * Used once the onnx session holds its own copy of the weights, so the ~120 MB of parsed checkpoint and
 * model bytes do not add to the first forward passes' peak memory.
 */
import { MessageChannel } from 'node:worker_threads';

/** Detaches and frees `buffers` (each at most once; SharedArrayBuffers and detached ones are skipped). */
export function releaseArrayBuffers(buffers: Iterable<ArrayBufferLike>): void {
  const owned = [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer && b.byteLength > 0);
  if (owned.length === 0) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, owned);
  port1.close();
  port2.close();
}
