/**
 * `backdrop retitle <item folder> --title T [--subtitle S] [--format png|svg] [--font-dir D]` — changes
 * the words of a finished task's titles without a new paid task: the task's own `text_results` layers
 * (masks, fonts, colours, shadows…) are drawn locally onto its plain images with the new strings
 * (`retitle-item.ts`, loaded with the text renderer only when the command runs).
 */
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';

const builder = (yargs: Argv) =>
  yargs
    .positional('folder', { type: 'string', demandOption: true, describe: 'An item folder: task.json and plain-<i> images (from generate, batch or status --download)' })
    .options({
      title: { type: 'string', demandOption: true, describe: 'New title, 1–8 characters' },
      subtitle: { type: 'string', describe: "New sub-title, 1–10 characters (default: keep the task's)" },
      format: { choices: ['png', 'svg'] as const, default: 'png' as const, describe: 'png, or an editable svg (plain image embedded, titles as <text>)' },
      'embed-fonts': {
        type: 'boolean',
        default: true,
        describe: 'With --format svg: embed the bundled fallback font, cut to the characters used (--no-embed-fonts: name fonts only)',
      },
      'font-dir': {
        type: 'string',
        describe: 'Folder of your fonts: <family>.ttf/.otf (e.g. 站酷文艺体.ttf) or fonts.json {"<family>": "<file>"}; default $BACKDROP_FONT_DIR, else the bundled Noto Sans Hans',
      },
    });

type RetitleArgs = BuilderArgs<typeof builder>;

export const retitleCommand: CommandModule<object, RetitleArgs> = {
  command: 'retitle <folder>',
  describe: "Redraw an item's titles with new words, locally (no request to the service): writes retitled-<i>.png|svg",
  builder,
  handler: async (args) => {
    const { retitleItem } = await import('../retitle-item.js');
    const written = await retitleItem(args.folder, {
      title: args.title,
      ...(args.subtitle !== undefined ? { subTitle: args.subtitle } : {}),
      format: args.format,
      embedFonts: args.embedFonts,
      ...(args.fontDir !== undefined ? { fontDir: args.fontDir } : {}),
    });
    for (const file of written) process.stdout.write(`${file}\n`);
  },
};
