/**
 * The HED network on a TensorFlow.js backend (tfjs-node, wasm or cpu). Loaded with dynamic imports so a
 * process that runs the onnx engine never loads TensorFlow.js.
 */
import type { StateDict } from '../../checkpoint/state-dict.js';
import type { BackendInfo, BackendName } from '../../backend.js';
import type { HedNetworkEngine } from '../network-engine.js';

/** Initialises the tfjs backend (`forced`, else node → wasm → cpu) and builds the network on it. */
export async function createTfjsNetwork(sd: StateDict, forced: BackendName | undefined): Promise<{ network: HedNetworkEngine; backend: BackendInfo }> {
  const { initBackend } = await import('../../backend.js');
  // The engine choice was made by the caller: the old variable must not override it here.
  const backend = await initBackend(forced, {});
  const { HedNetwork } = await import('../../hed/network.js');
  return { network: HedNetwork.fromStateDict(sd), backend };
}
