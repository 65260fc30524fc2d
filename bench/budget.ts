/**
 * The most each deployed bundle may weigh, in bytes: what `npm run bench` measured plus a little
 * room, so that an import that drags a library into a function fails `npm test`
 * (test/unit/bench/bundleBudget.test.ts) instead of slowing every cold start unnoticed. Raise a
 * figure only with a reason, and the measured bytes beside it (BENCHMARKS.md "Bundles").
 * For scale: the floor's http bundle (the same AWS clients, nothing else) is about 418,000.
 */
export const BUNDLE_BUDGET_BYTES: Readonly<Record<string, number>> = {
  // Measured 444,909: Lambda's credentials from the environment and no event streams
  // (serverless.yml custom.esbuild.alias) took 140 kB off the 584,803 before.
  http: 454_000,
  // 472,447: the SQS client (messages held back) and Powertools batch on top of the http bundle.
  queue: 482_000,
  // 387,348
  outbox: 396_000,
  // 394,234
  watch: 403_000,
};

/**
 * What the aliases of serverless.yml custom.esbuild keep out of every bundle: the SDK's default
 * credential chain (and the STS and SSO clients it brings) and its event stream codec.
 */
export const LEFT_OUT_MODULES =
  /node_modules\/(@aws-sdk\/(credential-provider-node|credential-provider-ini|credential-provider-sso|nested-clients)\/|@smithy\/core\/dist-es\/submodules\/event-streams\/)/;

/**
 * What the bundles are made of: the SDK, Powertools, middy, zod and the service. A package
 * outside these is named on its own when a budget is exceeded.
 */
export const EXPECTED_PACKAGES =
  /^(@aws-sdk\/|@smithy\/|@aws-lambda-powertools\/|@aws\/lambda-invoke-store$|@middy\/|zod$|mnemonist$|obliterator$|src\/|config\/)/;
