import { GetInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toProvisioningRequest } from '../../../src/channels/httpRequest.js';
import { matchRoute } from '../../../src/channels/httpRoutes.js';
import { createGuardrails } from '../../../src/guardrails/evaluate.js';
import {
  DEFAULT_OWNERSHIP,
  type ExecutionContext,
  OWNER_TAG_KEY,
} from '../../../src/operations/index.js';
import { admit } from '../../../src/provisioning/admission.js';
import { httpEvent } from '../../support/lambda.js';
import { builderInput, listCalls, uniqueName, useEmulator } from './support.js';

/*
 * `__proto__` is a valid tag key of both services. A request carrying it goes the service's own
 * way (the HTTP reader, admission with its schema, the operation's AWS call with the real SDK
 * client) to the emulator, and comes back from it, as a member like any other; no prototype is
 * touched on the way.
 */

const emulator = useEmulator();
const NO_GUARDRAILS = createGuardrails({}, { accountId: '123456789012' });
/** What the operations run with: the emulator's clients, the default stage's ownership. */
const context = (): ExecutionContext => ({
  imagebuilder: emulator.imagebuilder,
  appstream: emulator.appstream,
  ownership: DEFAULT_OWNERSHIP,
});
/** The service adds its ownership tag to every resource it creates. */
const OWNER_TAG = { [OWNER_TAG_KEY]: DEFAULT_OWNERSHIP.owner };

/** What a prototype change would show: Object.prototype's members and a fresh object's prototype. */
const prototypeState = () => ({
  members: Object.getOwnPropertyNames(Object.prototype),
  objectPrototype: Object.getPrototypeOf({}),
  parentOfObjectPrototype: Object.getPrototypeOf(Object.prototype),
});
let before: ReturnType<typeof prototypeState>;

beforeEach(() => {
  before = prototypeState();
});

afterEach(() => {
  expect(prototypeState()).toEqual(before);
  expect(({} as Record<string, unknown>).team).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
});

/** Reads `body` as the HTTP channel does and admits it, as the pipeline does before AWS is called. */
const admitOverHttp = (route: string, body: string) => {
  const event = httpEvent({ method: 'POST', route, rawBody: body });
  const httpRoute = matchRoute(event.routeKey);
  if (!httpRoute) throw new Error(`no route for ${event.routeKey}`);
  const admission = admit(
    toProvisioningRequest(event, httpRoute, { maxRequestBytes: 262_144 }, 9_000),
    NO_GUARDRAILS,
  );
  if (!admission.admitted) {
    throw new Error(`refused: ${JSON.stringify(admission.error.toDetails())}`);
  }
  return admission;
};

describe('a __proto__ tag key', () => {
  it.each([
    ['the only tag', '{"__proto__":"x"}'],
    ['one of two tags', '{"team":"images","__proto__":"x"}'],
  ])('as %s, is admitted, sent to Image Builder and read back as a member', async (_, tags) => {
    // Prepare
    const name = uniqueName('proto-tag');
    const admission = admitOverHttp(
      '/infrastructure-configurations',
      `{"name":"${name}","instanceProfileName":"p","tags":${tags}}`,
    );
    const expectedTags = { ...(JSON.parse(tags) as Record<string, string>), ...OWNER_TAG };

    // Act
    const created = (await admission.operation.execute(
      context(),
      admission.input,
      `token-${name}`,
    )) as { infrastructureConfigurationArn: string };
    const read = await emulator.imagebuilder.send(
      new GetInfrastructureConfigurationCommand({
        infrastructureConfigurationArn: created.infrastructureConfigurationArn,
      }),
    );

    // Assess
    const [call] = await listCalls(emulator.endpoint);
    const sent = (call?.input as { tags?: Record<string, unknown> } | undefined)?.tags ?? {};
    expect(Object.hasOwn(sent, '__proto__')).toBe(true);
    expect(sent).toEqual(expectedTags);
    const readTags = read.infrastructureConfiguration?.tags ?? {};
    expect(Object.getOwnPropertyDescriptor(readTags, '__proto__')?.value).toBe('x');
    expect(readTags).toEqual(expectedTags);
  });

  it('is admitted and sent to AppStream as a member', async () => {
    // Prepare
    const input = builderInput();
    const body = JSON.stringify(input).replace(/}$/, ',"Tags":{"__proto__":"x","team":"images"}}');
    const admission = admitOverHttp('/image-builders', body);

    // Act
    await admission.operation.execute(context(), admission.input, `token-${input.Name}`);

    // Assess
    const [call] = await listCalls(emulator.endpoint);
    expect(call).toMatchObject({ service: 'appstream', operation: 'CreateImageBuilder' });
    const sent = (call?.input as { Tags?: Record<string, unknown> } | undefined)?.Tags ?? {};
    expect(Object.hasOwn(sent, '__proto__')).toBe(true);
    expect(sent).toEqual({
      ...(JSON.parse('{"__proto__":"x","team":"images"}') as Record<string, string>),
      ...OWNER_TAG,
    });
  });
});
