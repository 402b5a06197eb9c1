/**
 * Problems of a folder input, where every item's request fields come from the command's flags: a rule
 * the flags break is broken by every item alike, so it is said once, in flag names
 * (`--prompt or --ref is required for every item: 9 items have neither`), not once per file in the
 * service's field names.
 */
import type { InputProblem } from '../errors.js';

/** The request field each flag of `batch` sets (the wire names the request rules report). */
const FLAG_OF_FIELD: Record<string, string> = {
  'input.ref_prompt': '--prompt',
  'input.ref_image_url': '--ref',
  'input.neg_ref_prompt': '--negative-prompt',
  'input.title': '--title',
  'input.sub_title': '--subtitle',
  'parameters.n': '-n',
  'parameters.noise_level': '--noise-level',
  'parameters.ref_prompt_weight': '--ref-prompt-weight',
  'parameters.scene_type': '--scene-type',
  'parameters.model_version': '--model-version',
};

/** Collects the flag-made problems of a folder's items and says each once. */
export class FlagProblems {
  private readonly seen = new Map<string, { problem: InputProblem; flag: string; count: number }>();

  constructor(private readonly label: string) {}

  /** Takes `p` when a flag made it (returns true); other problems (the base image's) stay per file. */
  take(p: InputProblem): boolean {
    const flag = p.code === 'reference_required' ? '--prompt or --ref' : p.field ? FLAG_OF_FIELD[p.field] : undefined;
    if (!flag) return false;
    const key = `${p.code}\u0000${p.field ?? ''}`;
    const entry = this.seen.get(key);
    if (entry) entry.count++;
    else this.seen.set(key, { problem: p, flag, count: 1 });
    return true;
  }

  /** One problem per rule broken, in flag names. */
  summarise(): InputProblem[] {
    return [...this.seen.values()].map(({ problem, flag, count }) => {
      const items = `${count} item${count === 1 ? '' : 's'}`;
      const message =
        problem.code === 'reference_required' ? `${flag} is required for every item: ${items} ${count === 1 ? 'has' : 'have'} neither` : `${flag}: ${problem.message} (${items})`;
      return { line: 0, file: this.label, code: problem.code, message };
    });
  }
}
