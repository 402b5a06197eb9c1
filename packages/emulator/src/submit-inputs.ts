/** Downloads and checks every input of a submit, all before the submit is answered. */
import { checkBaseImage, checkEdgeElement, inspectImage } from './input-checks.js';
import { type InputSource, fetchInput } from './input-fetcher.js';
import type { GenerationInput } from './images/compose.js';
import type { SubmitSpec } from './submit-request.js';

/** The generation input of a valid submit (seed still to be set by the lifecycle). */
export async function loadSubmitInputs(spec: SubmitSpec, source: InputSource): Promise<GenerationInput> {
  const download = async (url: string, path: string) => inspectImage(await fetchInput(url, path, source), path);
  const edges = (list: SubmitSpec['foregroundEdges']) =>
    Promise.all(
      list.map(async (edge) => {
        const image = await download(edge.url, edge.path);
        checkEdgeElement(image, edge.path);
        return { bytes: image.bytes, prompt: edge.prompt };
      }),
    );
  const [base, ref, foregroundEdges, backgroundEdges] = await Promise.all([
    download(spec.baseImageUrl, 'input.base_image_url'),
    spec.refImageUrl ? download(spec.refImageUrl, 'input.ref_image_url') : Promise.resolve(undefined),
    edges(spec.foregroundEdges),
    edges(spec.backgroundEdges),
  ]);
  checkBaseImage(base);
  return {
    base: base.bytes,
    width: base.width,
    height: base.height,
    ref: ref?.bytes,
    refPrompt: spec.refPrompt,
    refPromptWeight: spec.refPromptWeight,
    noiseLevel: spec.noiseLevel,
    foregroundEdges,
    backgroundEdges,
    title: spec.title,
    subTitle: spec.subTitle,
    n: spec.n,
    seed: 0,
  };
}
