/**
 * Entry point of the worker thread that runs a {@link ThreadedOnnxHedNetwork}'s session: builds it from the
 * model bytes it was handed, then runs one forward pass at a time, each inside the run gate.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RunGate } from '../../workers/run-gate.js';
import { serializeError } from '../../workers/serialized-error.js';
import type { NetworkThreadInit, NetworkThreadMessage, ProjectRequest } from './network-thread-protocol.js';
import { OnnxHedNetwork } from './onnx-network.js';

const port = parentPort;
if (!port) throw new Error('network-thread.js must run as a worker thread');
const init = workerData as NetworkThreadInit;

function send(message: NetworkThreadMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function project(network: OnnxHedNetwork, request: ProjectRequest): Promise<void> {
  try {
    const projections = await network.project(request.rgb);
    const buffers = new Set(projections.map((p) => p.data.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer));
    send({ type: 'projected', id: request.id, projections }, [...buffers]);
  } catch (err) {
    send({ type: 'failed', id: request.id, error: serializeError(err) });
  }
}

OnnxHedNetwork.fromModel(init.model, init.architecture, { threads: init.threads, runGate: new RunGate(init.gate) }).then(
  (network) => {
    send({ type: 'ready' });
    let chain = Promise.resolve();
    port.on('message', (request: ProjectRequest) => {
      chain = chain.then(() => project(network, request));
    });
  },
  (err: unknown) => send({ type: 'init-failed', error: serializeError(err) }),
);
