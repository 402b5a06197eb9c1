/**
 * The one place that reads API keys from the environment, with one fallback rule:
 * `DASHSCOPE_API_KEYS` (comma-separated) lists the keys of a multi-key run, `DASHSCOPE_API_KEY` names
 * the key of a one-key client; each falls back to the other.
 */

/** Splits a comma-separated key list, trimmed, empty entries and repeats dropped (a key is one account). */
function keyList(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * API keys from the environment. `several`: `DASHSCOPE_API_KEYS`, else `DASHSCOPE_API_KEY`. Otherwise
 * (one key): `DASHSCOPE_API_KEY`, else the first of `DASHSCOPE_API_KEYS`. Empty when neither is set.
 */
export function readApiKeysFromEnv(env: NodeJS.ProcessEnv = process.env, options: { several?: boolean } = {}): string[] {
  const single = keyList(env.DASHSCOPE_API_KEY);
  const several = keyList(env.DASHSCOPE_API_KEYS);
  if (options.several) return several.length > 0 ? several : single;
  return [...single, ...several].slice(0, 1);
}
