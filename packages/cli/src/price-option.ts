/**
 * `--price-per-image` (or `BACKDROP_PRICE_PER_IMAGE`): the price of one billed image, e.g. `0.08 CNY`,
 * so that summaries and the contact sheet show the cost next to the images billed. The option's
 * definition; reading it and the `images billed` line: `billed-line.ts`.
 */

/** The yargs definition of `--price-per-image`. */
export const priceOptionDefinition = {
  'price-per-image': {
    type: 'string',
    describe: 'Price of one billed image, shown as a cost in the summary and contact sheet, e.g. "0.08 CNY" (default: BACKDROP_PRICE_PER_IMAGE)',
  },
} as const;
