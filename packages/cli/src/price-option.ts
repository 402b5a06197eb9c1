/**
 * `--price-per-image` (or `BACKDROP_PRICE_PER_IMAGE`): the price of one billed image, e.g. `0.08 CNY`,
 * so that summaries and the contact sheet show the cost next to the images billed.
 */
import { formatMoney, imagePriceFrom, type ImagePrice } from '@backdrop/pipeline';

/** The yargs definition of `--price-per-image`. */
export const priceOptionDefinition = {
  'price-per-image': {
    type: 'string',
    describe: 'Price of one billed image, shown as a cost in the summary and contact sheet, e.g. "0.08 CNY" (default: BACKDROP_PRICE_PER_IMAGE)',
  },
} as const;

/** The price from `--price-per-image` or the environment (undefined when neither is set). */
export function priceFromArgs(args: { pricePerImage?: string }): ImagePrice | undefined {
  return imagePriceFrom(args.pricePerImage);
}

/**
 * `images billed: 4` or `images billed: 4 (cost 0.32 CNY at 0.08 CNY per image)`; with `thisRun`
 * (when some items were done in earlier runs) the share of this run follows.
 */
export function billedLine(billed: number, price: ImagePrice | undefined, thisRun?: number): string {
  const money = (n: number): string => (price ? formatMoney(n * price.amount, price.currency) : '');
  const cost = price ? ` (cost ${money(billed)} at ${formatMoney(price.amount, price.currency)} per image)` : '';
  const run = thisRun !== undefined && thisRun !== billed ? `; in this run ${thisRun}${price ? ` (${money(thisRun)})` : ''}` : '';
  return `images billed: ${billed}${cost}${run}`;
}
