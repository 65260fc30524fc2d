import { describe, expect, it } from 'vitest';
import { createGuardrails } from '../../../src/guardrails/evaluate.js';
import { operations } from '../../../src/operations/index.js';
import { admit } from '../../../src/provisioning/admission.js';
import type { ProvisioningRequest } from '../../../src/provisioning/request.js';
import { validRequests } from '../../fixtures/requests.js';
import { admitted } from '../../support/operations.js';
import { queueRequest } from '../../support/provisioningFakes.js';

const infra = validRequests.CreateInfrastructureConfiguration;
const builder = validRequests.CreateImageBuilder;

/** The fifteen names, in registry order, as the message must list them. */
const OPERATION_RULE =
  'must be one of: CreateInfrastructureConfiguration, UpdateInfrastructureConfiguration, ' +
  'GetInfrastructureConfiguration, ListInfrastructureConfigurations, ' +
  'DeleteInfrastructureConfiguration, CreateDistributionConfiguration, ' +
  'ListDistributionConfigurations, GetDistributionConfiguration, ' +
  'UpdateDistributionConfiguration, DeleteDistributionConfiguration, CreateImageBuilder, ' +
  'DescribeImageBuilders, StopImageBuilder, StartImageBuilder, DeleteImageBuilder';

/** A queue message's request, as its reader hands it over (the request under `/request`). */
const message = queueRequest;

/** An HTTP request, as its reader hands it over (the request is the whole body). */
const httpRequest = (overrides: Partial<ProvisioningRequest> = {}): ProvisioningRequest =>
  message({
    channel: 'http',
    inputPointer: '',
    finalAttempt: true,
    announcesRejections: false,
    idempotentReads: false,
    ...overrides,
  });

const NO_GUARDRAILS = createGuardrails({}, { accountId: '123456789012' });

describe('admit: the operation', () => {
  it.each([
    ['a name that is not one of ours', 'DeleteImageRecipe'],
    ['a name in the wrong case', 'createImageBuilder'],
    ['no operation', undefined],
    ['a number', 42],
    ['an inherited member name', 'toString'],
  ])('refuses %s at /operation, listing the names it takes', (_, operation) => {
    // Prepare
    const request = message({ operation });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.operation).toBeUndefined();
    expect(admission.error).toMatchObject({ code: 'ValidationException', status: 400 });
    expect(admission.error.errors).toEqual([{ path: '/operation', message: OPERATION_RULE }]);
  });

  it.each([
    ['the whole message', { path: '', message: 'must be valid JSON' }],
    ['the operation', { path: '/operation', message: 'must be a string' }],
  ])(
    'adds no second error when the channel already reported %s as unreadable',
    (_, channelError) => {
      // Prepare
      const request = message({ operation: undefined, input: undefined, errors: [channelError] });

      // Act
      const admission = admit(request, NO_GUARDRAILS);

      // Assess
      expect(admission.admitted).toBe(false);
      if (admission.admitted) return;
      expect(admission.error.errors).toEqual([channelError]);
    },
  );

  it('reports an unknown operation after what the channel reported elsewhere', () => {
    // Prepare
    const channelError = { path: '/priority', message: 'unknown field' };
    const request = message({ operation: 'Nope', errors: [channelError] });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.error.errors).toEqual([
      channelError,
      { path: '/operation', message: OPERATION_RULE },
    ]);
  });

  it('keeps the token given beside a request whose operation is unknown', () => {
    // Prepare
    const request = message({
      operation: 'Nope',
      clientToken: {
        value: 'portal-req-7',
        label: 'the message clientToken',
        path: '/clientToken',
      },
    });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    expect(admission.clientToken).toBe('portal-req-7');
  });
});

describe('admit: the clientToken', () => {
  it('takes the token given beside the request when the request has none', () => {
    // Prepare
    const request = httpRequest({
      clientToken: { value: 'key-1', label: 'the Idempotency-Key header' },
    });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission).toMatchObject({ admitted: true, clientToken: 'key-1' });
  });

  it.each([
    ['Image Builder', 'CreateInfrastructureConfiguration', infra, 'clientToken'],
    ['AppStream', 'CreateImageBuilder', builder, 'ClientToken'],
  ] as const)(
    'takes the %s token member from the request and strips it from the input',
    (_, operation, request, member) => {
      // Prepare
      const withToken = message({ operation, input: { ...request, [member]: 'inner-1' } });

      // Act
      const admission = admit(withToken, NO_GUARDRAILS);

      // Assess
      expect(admission.admitted).toBe(true);
      if (!admission.admitted) return;
      expect(admission.clientToken).toBe('inner-1');
      expect(admission.input).not.toHaveProperty(member);
      expect(admission.input).toEqual(admitted(operation, request));
    },
  );

  it('accepts the same token beside and inside the request', () => {
    // Prepare
    const request = message({
      input: { ...infra, clientToken: 'same' },
      clientToken: { value: 'same', label: 'the message clientToken', path: '/clientToken' },
    });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission).toMatchObject({ admitted: true, clientToken: 'same' });
  });

  it.each([
    ['a queue message', message, 'the message clientToken', '/request/clientToken'],
    ['an HTTP request', httpRequest, 'the Idempotency-Key header', '/clientToken'],
  ] as const)(
    'refuses two different tokens in %s with a 400 at the token member',
    (_, requestOf, label, path) => {
      // Prepare
      const request = requestOf({
        input: { ...infra, clientToken: 'inner' },
        clientToken: { value: 'beside', label },
      });

      // Act
      const admission = admit(request, NO_GUARDRAILS);

      // Assess
      expect(admission.admitted).toBe(false);
      if (admission.admitted) return;
      expect(admission.operation).toBe(operations.CreateInfrastructureConfiguration);
      expect(admission.error).toMatchObject({ code: 'ValidationException', status: 400 });
      expect(admission.error.errors).toEqual([{ path, message: `differs from ${label}` }]);
    },
  );

  it('points at the AppStream token member when the tokens differ', () => {
    // Prepare
    const request = message({
      operation: 'CreateImageBuilder',
      input: { ...builder, ClientToken: 'inner' },
      clientToken: { value: 'beside', label: 'the message clientToken', path: '/clientToken' },
    });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.error.errors).toEqual([
      { path: '/request/ClientToken', message: 'differs from the message clientToken' },
    ]);
  });

  it('refuses a token beside the request that is too long, where the caller put it', () => {
    // Prepare
    const request = message({
      clientToken: {
        value: 't'.repeat(65),
        label: 'the message clientToken',
        path: '/clientToken',
      },
    });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.clientToken).toBeUndefined();
    expect(admission.error.errors).toEqual([
      { path: '/clientToken', message: 'must be between 1 and 64 characters long' },
    ]);
  });

  it('admits a request with no token at all, leaving the token to the pipeline', () => {
    // Prepare
    const request = message();

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission).toMatchObject({ admitted: true, clientToken: undefined });
  });
});

describe('admit: the request against its schema', () => {
  it.each([
    ['a queue message', message, '/request'],
    ['an HTTP body', httpRequest, ''],
  ] as const)('points schema errors in %s below its request pointer', (_, requestOf, pointer) => {
    // Prepare
    const { instanceProfileName: _dropped, ...incomplete } = infra;
    const request = requestOf({ input: { ...incomplete, keyPair: '' } });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.error).toMatchObject({ code: 'ValidationException', status: 400 });
    expect(admission.error.errors).toEqual([
      { path: `${pointer}/instanceProfileName`, message: 'is required' },
      { path: `${pointer}/keyPair`, message: 'must be at least 1 character(s) long' },
    ]);
  });

  it.each([['must be valid JSON'], ['a JSON request body is required']])(
    'adds nothing to "%s" when the channel could not read the body',
    (message) => {
      // Prepare
      const request = httpRequest({
        input: undefined,
        errors: [{ path: '', message }],
        inputUnreadable: true,
      });

      // Act
      const admission = admit(request, NO_GUARDRAILS);

      // Assess
      expect(admission.admitted).toBe(false);
      if (admission.admitted) return;
      expect(admission.operation).toBe(operations.CreateInfrastructureConfiguration);
      expect(admission.error.errors).toEqual([{ path: '', message }]);
      expect(admission.error.message).toBe('The request has 1 invalid field.');
    },
  );

  it('still requires a request the channel read but did not find', () => {
    // Prepare
    const request = message({ input: undefined });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.error.errors).toEqual([{ path: '/request', message: 'is required' }]);
  });

  it('points a request that is no object at the request pointer itself', () => {
    // Prepare
    const request = message({ input: null });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.error.errors).toEqual([{ path: '/request', message: 'must be an object' }]);
  });

  it('keeps what the channel reported first, then the token, then the schema errors', () => {
    // Prepare
    const channelError = {
      path: '/correlationId',
      message: 'must be 1 to 256 printable ASCII characters',
    };
    const request = message({
      input: { ...infra, clientToken: 'inner', name: '' },
      clientToken: { value: 'beside', label: 'the message clientToken', path: '/clientToken' },
      errors: [channelError],
    });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.error.errors?.map(({ path }) => path)).toEqual([
      '/correlationId',
      '/request/clientToken',
      '/request/name',
    ]);
    expect(admission.error.errors?.[0]).toEqual(channelError);
  });

  it('refuses a valid request when the channel reported a problem around it', () => {
    // Prepare
    const channelError = { path: '/priority', message: 'unknown field' };
    const request = message({ errors: [channelError] });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.operation).toBe(operations.CreateInfrastructureConfiguration);
    expect(admission.error.code).toBe('ValidationException');
    expect(admission.error.errors).toEqual([channelError]);
  });
});

describe('admit: the guardrails', () => {
  const onlyLarge = createGuardrails(
    { infrastructure: { instanceTypes: ['m5.large'] } },
    { accountId: '123456789012' },
  );

  it.each([
    ['a queue message', message, '/request'],
    ['an HTTP body', httpRequest, ''],
  ] as const)(
    'refuses a violation in %s with 403 PolicyViolationException at the prefixed pointer',
    (_, requestOf, pointer) => {
      // Prepare
      const request = requestOf({ input: { ...infra, clientToken: 'g-1' } });

      // Act
      const admission = admit(request, onlyLarge);

      // Assess
      expect(admission.admitted).toBe(false);
      if (admission.admitted) return;
      expect(admission.operation).toBe(operations.CreateInfrastructureConfiguration);
      expect(admission.clientToken).toBe('g-1');
      expect(admission.error).toMatchObject({
        code: 'PolicyViolationException',
        status: 403,
        retryable: false,
      });
      expect(admission.error.errors).toEqual([
        { path: `${pointer}/instanceTypes/1`, message: 'policy: is not an approved instance type' },
      ]);
    },
  );

  it('checks guardrails only on a request the schema admitted: schema errors come alone', () => {
    // Prepare
    const request = message({ input: { ...infra, name: '' } });

    // Act
    const admission = admit(request, onlyLarge);

    // Assess
    expect(admission.admitted).toBe(false);
    if (admission.admitted) return;
    expect(admission.error.code).toBe('ValidationException');
    expect(admission.error.errors?.map(({ path }) => path)).toEqual(['/request/name']);
  });

  it('admits a request within the guardrails', () => {
    // Prepare
    const request = message({ input: { ...infra, instanceTypes: ['m5.large'] } });

    // Act
    const admission = admit(request, onlyLarge);

    // Assess
    expect(admission.admitted).toBe(true);
  });
});

describe('admit: an admitted request', () => {
  it('returns the operation, the validated input and the token', () => {
    // Prepare
    const request = message({
      operation: 'CreateImageBuilder',
      input: { ...builder, ClientToken: 'ib-1' },
    });

    // Act
    const admission = admit(request, NO_GUARDRAILS);

    // Assess
    expect(admission).toEqual({
      admitted: true,
      operation: operations.CreateImageBuilder,
      input: admitted('CreateImageBuilder', builder),
      clientToken: 'ib-1',
    });
  });

  it.each(Object.keys(validRequests) as (keyof typeof validRequests)[])(
    'admits the valid %s fixture under its own operation',
    (name) => {
      // Prepare
      const request = message({ operation: name, input: validRequests[name] });

      // Act
      const admission = admit(request, NO_GUARDRAILS);

      // Assess
      expect(admission.admitted).toBe(true);
      expect(admission.operation).toBe(operations[name]);
    },
  );
});
