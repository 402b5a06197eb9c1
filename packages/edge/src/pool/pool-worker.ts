/**
 * Entry point of one HED pool worker thread: its own engine (onnx session or TensorFlow.js backend) and network, built once from
 * the shared checkpoint bytes; then one job at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseHedCheckpoint } from '../checkpoint/load-checkpoint.js';
import { edgeElementFromInput, emptyTimings } from '../edge-element.js';
import type { HedNetworkEngine as HedNetwork } from '../engines/network-engine.js';
import { loadHedNetwork } from '../engines/select-engine.js';
import { describeWeights } from '../hed.js';
import { RunGate } from '../workers/run-gate.js';
import { serializeError } from '../workers/serialized-error.js';
import type { JobMessage, WorkerInit, WorkerMessage } from './pool-protocol.js';

const port = parentPort;
if (!port) throw new Error('pool-worker.js must run as a worker thread');
const init = workerData as WorkerInit;

function send(msg: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

async function start(): Promise<HedNetwork> {
  const bytes = new Uint8Array(init.weights);
  const { network, engine } = await loadHedNetwork(parseHedCheckpoint(bytes, init.weightsPath), {
    backend: init.backend,
    env: init.env,
    threads: init.threads,
    releaseStateDict: true,
    runGate: new RunGate(init.gate),
  });
  const weights = describeWeights({ source: init.weightsSource, path: init.weightsPath, bytes }, network);
  send({ type: 'ready', backend: engine, weights });
  return network;
}

async function run(network: HedNetwork, job: JobMessage): Promise<void> {
  try {
    const timings = emptyTimings();
    const result = await edgeElementFromInput(network, job.input, job.options, timings);
    const png = new Uint8Array(result.png.buffer, result.png.byteOffset, result.png.byteLength);
    // Copy so the transfer list holds one exclusively owned buffer (Buffers may share a pool).
    const owned = png.slice();
    send({ type: 'done', id: job.id, png: owned, warnings: result.warnings, timings }, [owned.buffer]);
  } catch (err) {
    send({ type: 'failed', id: job.id, error: serializeError(err) });
  }
}

start().then(
  (network) => {
    let chain = Promise.resolve();
    port.on('message', (job: JobMessage) => {
      chain = chain.then(() => run(network, job));
    });
  },
  (err) => {
    send({ type: 'init-failed', error: serializeError(err) });
  },
);
