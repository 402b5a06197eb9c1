/**
 * The one line a usage mistake prints (after `backdrop: `). yargs's own messages are kept, except
 * its command suggestion (`recommendCommands()`), which names the word that was not understood.
 */

/** Turns a yargs failure message into one line that says what to do. */
export function usageMessage(message: string | undefined | null, argv: readonly string[]): string {
  const text = (message ?? 'invalid usage').replace(/\s*\n\s*/g, '; ');
  const suggestion = /^Did you mean (\S+)\?$/.exec(text);
  if (suggestion) {
    const typed = argv.find((a) => !a.startsWith('-')) ?? '';
    return `unknown command "${typed}"; did you mean \`backdrop ${suggestion[1]}\`? (all commands: backdrop --help)`;
  }
  return text.includes('--help') ? text : `${text} (see backdrop --help)`;
}
