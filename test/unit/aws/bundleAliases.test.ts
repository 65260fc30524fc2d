import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '../../../src/aws/lambdaCredentials.js';
import { EventStreamSerde, eventStreamSerdeProvider } from '../../../src/aws/noEventStreams.js';

/*
 * The modules serverless.yml custom.esbuild.alias puts in the place of SDK modules in the
 * deployed bundles (the offline stack's functions sign every call with the first).
 */

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('lambdaCredentials', () => {
  it("answers the role's credentials Lambda puts in the environment, session token included", async () => {
    // Arrange
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'session');

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'session',
    });
  });

  it('reads them once, as the default chain keeps them, until an expiration comes near', async () => {
    // Arrange
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'FIRST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    const lasting = defaultProvider();
    await lasting();
    vi.stubEnv('AWS_CREDENTIAL_EXPIRATION', new Date(Date.now() + 60_000).toISOString());
    const expiring = defaultProvider();
    await expiring();

    // Act
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'SECOND');
    const [kept, renewed] = await Promise.all([lasting(), expiring()]);

    // Assess
    expect(kept.accessKeyId).toBe('FIRST');
    expect(renewed.accessKeyId).toBe('SECOND');
  });

  it('fails with the SDK’s credentials error when the environment holds none', async () => {
    // Arrange
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');

    const provider = defaultProvider();

    // Act
    const attempt = provider();

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'CredentialsProviderError' });
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'LATER');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'LATER' });
  });
});

describe('noEventStreams', () => {
  it('refuses, by name, what an operation with an event stream would ask of it', () => {
    expect(() => eventStreamSerdeProvider()).toThrow(/event streams are not bundled/);
    expect(() => new EventStreamSerde()).toThrow(/event streams are not bundled/);
  });
});
