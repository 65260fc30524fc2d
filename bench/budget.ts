/**
 * The most each deployed bundle may weigh, in bytes: what `npm run bench` measured plus a little
 * room, so that an import that drags a library into a function fails `npm test`
 * (test/unit/bench/bundleBudget.test.ts) instead of slowing every cold start unnoticed. Raise a
 * figure only with a reason, and the measured bytes beside it (BENCHMARKS.md "Bundles").
 * For scale: the floor's http bundle (the same AWS clients, nothing else) is about 418,000.
 */
export const BUNDLE_BUDGET_BYTES: Readonly<Record<string, number>> = {
  // Measured 585,466 with the lifecycle operations (572,387 before them).
  http: 594_000,
  // 613,953: the SQS client (messages held back) and Powertools batch on top of the http bundle.
  queue: 623_000,
  // 528,816
  outbox: 537_000,
  // 534,588
  watch: 543_000,
};

/**
 * What the bundles are made of: the SDK, Powertools, middy, zod and the service. A package
 * outside these is named on its own when a budget is exceeded.
 */
export const EXPECTED_PACKAGES =
  /^(@aws-sdk\/|@smithy\/|@aws-lambda-powertools\/|@aws\/lambda-invoke-store$|@middy\/|zod$|mnemonist$|obliterator$|src\/|config\/)/;
