import { fromEnv } from '@aws-sdk/credential-provider-env';
import {
  doesIdentityRequireRefresh,
  isIdentityExpired,
  memoizeIdentityProvider,
} from '@smithy/core';

/**
 * The credential provider every client of a deployed bundle is built with: serverless.yml
 * `custom.esbuild.alias` puts this module in the place of the SDK's `@aws-sdk/credential-provider-node`,
 * whose `defaultProvider` each client's runtime configuration imports.
 *
 * Lambda hands a function its role's credentials in environment variables (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), and the offline stack sets the same. The default
 * chain's other sources (SSO, profiles and INI files, web identity, process, container and instance
 * metadata) never answer there, yet they bundle their own STS and SSO clients: about 120 kB of every
 * function and part of each cold start. A role assumed in another account would start from these
 * credentials (`fromTemporaryCredentials`), not from the chain.
 *
 * Read once and kept, as the default chain keeps them: the SDK calls its default provider's
 * result before every request and leaves the caching to it. Read again only when
 * `AWS_CREDENTIAL_EXPIRATION` gave them an end that is near, or when reading failed.
 *
 * Outside a bundle (tests, scripts) the SDK's own chain stays in place.
 */
export const defaultProvider: typeof fromEnv = (init) => {
  const read = fromEnv(init);
  // The SDK's own memoization: kept while no expiration is near (5 min), read again after a failure.
  return memoizeIdentityProvider(read, isIdentityExpired, doesIdentityRequireRefresh) ?? read;
};
