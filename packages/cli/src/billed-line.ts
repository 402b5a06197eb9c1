/**
 * The price of one billed image from `--price-per-image` (`price-option.ts`) or `BACKDROP_PRICE_PER_IMAGE`,
 * and the `images billed` line of the summaries that shows the cost next to the images billed.
 */
import { formatMoney, imagePriceFrom, type ImagePrice } from '@backdrop/pipeline';

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
