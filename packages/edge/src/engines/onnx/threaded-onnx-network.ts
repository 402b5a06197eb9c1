/**
 * The onnx HED network on a worker thread of its own. The caller's thread stays free while a forward pass
 * runs (onnxruntime-node's `run` blocks the thread it is called on for the whole pass), so the JavaScript
 * steps around the network — decoding, resizing, combining, encoding — of one image run while the network
 * works on another, and a batch's event loop keeps polling and submitting.
 */
import { Worker } from 'node:worker_threads';
import { inferHedArchitecture, type HedArchitecture } from '../../checkpoint/hed-architecture.js';
import type { StateDict } from '../../checkpoint/state-dict.js';
import { EdgeError } from '../../errors.js';
import type { ImageU8 } from '../../image/image-buffer.js';
import { RunGate } from '../../workers/run-gate.js';
import { deserializeError } from '../../workers/serialized-error.js';
import { builtWorkerEntry, workerExecArgv } from '../../workers/worker-entry.js';
import type { HedNetworkEngine, HedProjections } from '../network-engine.js';
import { buildHedOnnxModel } from './hed-onnx-graph.js';
import type { NetworkThreadInit, NetworkThreadMessage, ProjectRequest } from './network-thread-protocol.js';

const ENTRY = builtWorkerEntry(new URL('./network-thread.js', import.meta.url));

interface Pending {
  resolve: (projections: HedProjections) => void;
  reject: (err: unknown) => void;
}

/** A loaded HED network whose onnxruntime session runs on its own worker thread. */
export class ThreadedOnnxHedNetwork implements HedNetworkEngine {
  readonly offThread = true;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: EdgeError | undefined;
  private readonly forgetAtExit: () => void;

  private constructor(
    readonly architecture: HedArchitecture,
    /** Intra-op threads of the session. */
    readonly threads: number,
    private readonly worker: Worker,
    private readonly gate: RunGate,
  ) {
    this.forgetAtExit = gate.closeAtExit();
    worker.on('message', (message: NetworkThreadMessage) => {
      if (message.type === 'projected') this.settle(message.id)?.resolve(message.projections);
      else if (message.type === 'failed') this.settle(message.id)?.reject(deserializeError(message.error));
    });
    const gone = (reason: string): void => this.fail(new EdgeError('HED_WORKER_CRASHED', `The HED network thread stopped (${reason}); load the network again.`));
    worker.on('error', (err) => gone(err.message));
    worker.on('exit', (code) => gone(`exit code ${code}`));
    worker.unref(); // an idle network does not keep the process alive; a pass in flight does (see project)
  }

  /**
   * Writes the graph from the state dict on this thread and starts the session on a new one; the state
   * dict may be freed afterwards. Fails like {@link OnnxHedNetwork.create} when the session cannot start.
   */
  static async create(sd: StateDict, options: { threads?: number } = {}): Promise<ThreadedOnnxHedNetwork> {
    const architecture = inferHedArchitecture(sd);
    const threads = options.threads ?? 1;
    const model = buildHedOnnxModel(sd);
    const shared = RunGate.createShared();
    const init: NetworkThreadInit = { model, architecture, threads, gate: shared };
    const worker = new Worker(ENTRY, { workerData: init, transferList: [model.buffer as ArrayBuffer], execArgv: workerExecArgv() });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: NetworkThreadMessage): void => {
        if (message.type === 'ready') done();
        else if (message.type === 'init-failed') done(deserializeError(message.error));
      };
      const onError = (err: Error): void => done(new EdgeError('HED_WORKER_CRASHED', `The HED network thread failed to start: ${err.message}.`));
      const onExit = (code: number): void => done(new EdgeError('HED_WORKER_CRASHED', `The HED network thread failed to start: exit code ${code}.`));
      const done = (err?: EdgeError): void => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (err) {
          void worker.terminate();
          reject(err);
        } else resolve();
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
    return new ThreadedOnnxHedNetwork(architecture, threads, worker, new RunGate(shared));
  }

  project(rgb: ImageU8): Promise<HedProjections> {
    if (this.failure) return Promise.reject(this.failure);
    if (rgb.channels !== 3) return Promise.reject(new EdgeError('HED_INPUT_CHANNELS', `The network needs a 3-channel RGB image, got ${rgb.channels} channels.`));
    const id = this.nextId++;
    const data = rgb.data.slice(); // the caller keeps its image; the copy moves to the thread
    const request: ProjectRequest = { id, rgb: { data, width: rgb.width, height: rgb.height, channels: 3 } };
    return new Promise<HedProjections>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage(request, [data.buffer]);
    });
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    return pending;
  }

  private fail(error: EdgeError): void {
    this.failure ??= error;
    this.forgetAtExit();
    for (const { reject } of this.pending.values()) reject(this.failure);
    this.pending.clear();
  }

  dispose(): void {
    if (this.failure) return;
    this.fail(new EdgeError('HED_DISPOSED', 'This HED network was disposed; load it again.'));
    // Never stop the thread inside a native run: that would abort the whole process.
    this.gate.close();
    void this.worker.terminate();
  }
}
