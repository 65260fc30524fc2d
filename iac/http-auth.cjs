'use strict';

/**
 * Variable resolver for serverless.yml: how the HTTP API authenticates callers, from stage params.
 *
 *   authMode: iam   (default) every route requires a SigV4-signed request (AWS_IAM); callers
 *                   need execute-api:Invoke on the route (see the HttpApiExecuteArn output).
 *   authMode: jwt   every route requires a bearer JWT (Authorization header) issued by
 *                   `jwtIssuerUrl` (https) for one of the comma-separated `jwtAudience` values.
 *
 *   ${file(iac/http-auth.cjs):authorizers}     provider.httpApi.authorizers
 *   ${file(iac/http-auth.cjs):routeAuthorizer} the `authorizer` of every httpApi event
 *
 * There is no mode without authentication: an unknown mode, or jwt without an https issuer or an
 * audience, fails `sls package` / `sls deploy`. Under `sls offline`, serverless-offline's `noAuth`
 * (serverless.yml, custom.serverless-offline) turns the authorizers off instead.
 */

const JWT_AUTHORIZER = 'jwtAuthorizer';

class HttpAuthError extends Error {
  constructor(message) {
    super(message);
    this.name = 'HttpAuthError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** `{ mode, issuerUrl, audience }` from the params, validated. */
const authSettings = ({ authMode, jwtIssuerUrl, jwtAudience }) => {
  if (authMode === 'iam') return { mode: 'iam' };
  if (authMode !== 'jwt') {
    throw new HttpAuthError(`param authMode must be "iam" or "jwt", got "${authMode}"`);
  }
  if (!URL.canParse(String(jwtIssuerUrl ?? '')) || new URL(jwtIssuerUrl).protocol !== 'https:') {
    throw new HttpAuthError(
      `authMode jwt needs param jwtIssuerUrl, the https URL of the token issuer (its "iss"), got "${jwtIssuerUrl ?? ''}"`,
    );
  }
  const audience = String(jwtAudience ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  if (audience.length === 0) {
    throw new HttpAuthError(
      'authMode jwt needs param jwtAudience, the audience(s) ("aud", comma-separated) the API accepts',
    );
  }
  return { mode: 'jwt', issuerUrl: String(jwtIssuerUrl), audience };
};

const authorizers = (settings) =>
  settings.mode === 'jwt'
    ? {
        [JWT_AUTHORIZER]: {
          type: 'jwt',
          identitySource: '$request.header.Authorization',
          issuerUrl: settings.issuerUrl,
          audience: settings.audience,
        },
      }
    : {};

const routeAuthorizer = (settings) =>
  settings.mode === 'jwt' ? { name: JWT_AUTHORIZER } : { type: 'aws_iam' };

const paramOr = async (resolveVariable, name) => {
  // `${param:x, null}`: an unset param resolves to null instead of failing here.
  const value = await resolveVariable(`param:${name}, null`);
  return value === null ? undefined : value;
};

const settingsOf = async (resolveVariable) =>
  authSettings({
    authMode: await resolveVariable('param:authMode'),
    jwtIssuerUrl: await paramOr(resolveVariable, 'jwtIssuerUrl'),
    jwtAudience: await paramOr(resolveVariable, 'jwtAudience'),
  });

module.exports = {
  authorizers: async ({ resolveVariable }) => authorizers(await settingsOf(resolveVariable)),
  routeAuthorizer: async ({ resolveVariable }) =>
    routeAuthorizer(await settingsOf(resolveVariable)),
  // For tests.
  authSettings,
  JWT_AUTHORIZER,
};
