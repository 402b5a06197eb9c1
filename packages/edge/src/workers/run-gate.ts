/**
 * A gate around onnxruntime's `session.run` in a worker thread. Terminating a worker while the native run
 * is inside it aborts the whole process (onnxruntime-node throws a C++ `Napi::Error` when it cannot hand
 * the outputs to a terminating thread: "terminate called…", exit 134). So whoever stops the worker —
 * `dispose()`, a pool closing, or the process exiting — first closes the gate, waiting for the runs in
 * progress to finish; a closed gate lets no new run start.
 *
 * The state lives in a SharedArrayBuffer both threads see: the number of runs in progress, or CLOSED.
 */

const CLOSED = -1;

/** How long stopping waits for a run in progress (a 4096-pixel detection takes about a minute on 2 cores). */
const DEFAULT_CLOSE_WAIT_MS = 120_000;

/** One gate, shared by a worker (which runs) and its owner (which closes). */
export class RunGate {
  private readonly state: Int32Array;

  /** A new gate's shared memory, to pass to the worker in `workerData`. */
  static createShared(): SharedArrayBuffer {
    return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  }

  constructor(shared: SharedArrayBuffer) {
    this.state = new Int32Array(shared);
  }

  /** Worker: runs `fn` unless the gate is closed (then resolves to undefined without calling it). */
  async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      const running = Atomics.load(this.state, 0);
      if (running === CLOSED) return undefined;
      if (Atomics.compareExchange(this.state, 0, running, running + 1) === running) break;
    }
    try {
      return await fn();
    } finally {
      Atomics.sub(this.state, 0, 1);
      Atomics.notify(this.state, 0);
    }
  }

  /**
   * Owner: closes the gate, blocking this thread until the runs in progress have finished (at most
   * `maxWaitMs`). Returns false when a run was still going after that time.
   */
  close(maxWaitMs = DEFAULT_CLOSE_WAIT_MS): boolean {
    const deadline = performance.now() + maxWaitMs;
    for (;;) {
      const running = Atomics.compareExchange(this.state, 0, 0, CLOSED);
      if (running === 0 || running === CLOSED) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.state, 0, running, left);
    }
  }

  /**
   * Owner: closes the gate when the process exits (Node terminates worker threads right after the
   * `exit` listeners). Returns the function that forgets the gate again.
   */
  closeAtExit(): () => void {
    if (openGates.size === 0) process.once('exit', closeOpenGates);
    openGates.add(this);
    return () => {
      openGates.delete(this);
      if (openGates.size === 0) process.off('exit', closeOpenGates);
    };
  }
}

/** Gates to close at exit: one `exit` listener for all of them, however many workers there are. */
const openGates = new Set<RunGate>();

function closeOpenGates(): void {
  for (const gate of openGates) gate.close();
}
