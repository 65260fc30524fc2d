import * as z from 'zod/mini';
import { CORRELATION_ID } from '../../src/channels/correlationId.js';
import { HTTP_ROUTES } from '../../src/channels/httpRoutes.js';
import { isOperationName, type OperationName, operations } from '../../src/operations/index.js';
import {
  CreateDistributionConfigurationInput,
  CreateImageBuilderInput,
  CreateInfrastructureConfigurationInput,
  DeleteDistributionConfigurationInput,
  DeleteImageBuilderInput,
  DeleteInfrastructureConfigurationInput,
  DescribeImageBuildersInput,
  GetDistributionConfigurationInput,
  GetInfrastructureConfigurationInput,
  ListDistributionConfigurationsInput,
  ListInfrastructureConfigurationsInput,
  StartImageBuilderInput,
  StopImageBuilderInput,
  UpdateDistributionConfigurationInput,
  UpdateInfrastructureConfigurationInput,
} from '../../src/operations/schemas/index.js';
import { OUTCOME_EVENT_TYPE, readinessEventType } from '../../src/outcomes/outcome.js';
import { MAX_TOKEN_LENGTH, TOKEN_CHARACTERS } from '../../src/provisioning/clientToken.js';
import { ImageBuilderAnswer, responseSchemas } from './awsResponses.js';

/*
 * The shapes of the API documents, as zod/mini schemas registered under the names the documents
 * give them. Requests are the service's own schemas (the ones it validates with), with the
 * idempotency token member the channels take out before validating. Answers, outcomes and
 * events are what the service builds: it never validates its own output, so their schemas live
 * here, outside the Lambda bundles, and test/unit/docs/ checks them against what the code builds.
 */

const named = <T extends z.core.$ZodType>(id: string, description: string, schema: T): T => {
  z.globalRegistry.add(schema, { id, description });
  return schema;
};

const described = <T extends z.ZodMiniType>(description: string, schema: T): T =>
  schema.check(z.meta({ description }));

const dateTime = (description: string) =>
  described(description, z.string().check(z.meta({ format: 'date-time' })));

/** The request schemas, filed as the registry files them (test/unit/docs/ proves the identity). */
export const requestInputs = {
  CreateInfrastructureConfiguration: CreateInfrastructureConfigurationInput,
  UpdateInfrastructureConfiguration: UpdateInfrastructureConfigurationInput,
  GetInfrastructureConfiguration: GetInfrastructureConfigurationInput,
  ListInfrastructureConfigurations: ListInfrastructureConfigurationsInput,
  DeleteInfrastructureConfiguration: DeleteInfrastructureConfigurationInput,
  CreateDistributionConfiguration: CreateDistributionConfigurationInput,
  ListDistributionConfigurations: ListDistributionConfigurationsInput,
  GetDistributionConfiguration: GetDistributionConfigurationInput,
  UpdateDistributionConfiguration: UpdateDistributionConfigurationInput,
  DeleteDistributionConfiguration: DeleteDistributionConfigurationInput,
  CreateImageBuilder: CreateImageBuilderInput,
  DescribeImageBuilders: DescribeImageBuildersInput,
  StopImageBuilder: StopImageBuilderInput,
  StartImageBuilder: StartImageBuilderInput,
  DeleteImageBuilder: DeleteImageBuilderInput,
} satisfies Record<OperationName, z.ZodMiniObject>;

export const OPERATION_NAMES: readonly OperationName[] =
  Object.keys(operations).filter(isOperationName);

/** One value per operation, the type checker sees every name present. */
const byOperation = <T>(make: (name: OperationName) => T): Record<OperationName, T> => ({
  CreateInfrastructureConfiguration: make('CreateInfrastructureConfiguration'),
  UpdateInfrastructureConfiguration: make('UpdateInfrastructureConfiguration'),
  GetInfrastructureConfiguration: make('GetInfrastructureConfiguration'),
  ListInfrastructureConfigurations: make('ListInfrastructureConfigurations'),
  DeleteInfrastructureConfiguration: make('DeleteInfrastructureConfiguration'),
  CreateDistributionConfiguration: make('CreateDistributionConfiguration'),
  ListDistributionConfigurations: make('ListDistributionConfigurations'),
  GetDistributionConfiguration: make('GetDistributionConfiguration'),
  UpdateDistributionConfiguration: make('UpdateDistributionConfiguration'),
  DeleteDistributionConfiguration: make('DeleteDistributionConfiguration'),
  CreateImageBuilder: make('CreateImageBuilder'),
  DescribeImageBuilders: make('DescribeImageBuilders'),
  StopImageBuilder: make('StopImageBuilder'),
  StartImageBuilder: make('StartImageBuilder'),
  DeleteImageBuilder: make('DeleteImageBuilder'),
});

export const ClientToken = named(
  'ClientToken',
  `The idempotency key: 1 to ${MAX_TOKEN_LENGTH} printable ASCII characters (U+0020 to U+007E).`,
  z.string().check(z.minLength(1), z.maxLength(MAX_TOKEN_LENGTH), z.regex(TOKEN_CHARACTERS)),
);

export const CorrelationId = named(
  'CorrelationId',
  "The caller's own reference, echoed back and carried into the outcome: 1 to 256 printable ASCII characters.",
  z.string().check(z.regex(CORRELATION_ID)),
);

const Channel = described(
  'How the request reached the service: the HTTP API or the request queue.',
  z.enum(['http', 'sqs']),
);

const withToken = (name: OperationName) => {
  const member = operations[name].tokenMember;
  return z.extend(requestInputs[name], member ? { [member]: z.optional(ClientToken) } : {});
};

/** `<Operation>Request`: the AWS request shape, plus the token member where there is one. */
const requestSchemas = byOperation((name) =>
  named(
    `${name}Request`,
    `The ${name} request, exactly the AWS request shape (unknown members are rejected at every level)${
      operations[name].tokenMember
        ? `; \`${operations[name].tokenMember}\` is the idempotency key and, for AppStream, never sent to AWS`
        : ''
    }.`,
    withToken(name),
  ),
);

/**
 * `<Operation>Body`: the HTTP body of a route whose path names the resource (the body may omit
 * that member).
 */
export const bodySchemas = Object.fromEntries(
  Object.values(HTTP_ROUTES).flatMap((route) => {
    const { path } = route;
    if (!path || route.body === 'none') return [];
    const request = withToken(route.operation);
    const shape: Record<string, z.core.$ZodType> = requestInputs[route.operation].shape;
    const named_ = shape[path.member];
    if (!named_) throw new Error(`${route.operation} has no member ${path.member}`);
    const what = path.parameter === 'arn' ? 'ARN' : 'name';
    return [
      [
        route.operation,
        named(
          `${route.operation}Body`,
          `The ${route.operation} request as the HTTP body: \`${path.member}\` may be left out (the path carries it); if present it must equal the path's ${what}.`,
          z.extend(request, { [path.member]: z.optional(named_) }),
        ),
      ],
    ];
  }),
);

/** What `GET /image-builders/{name}` answers: the one builder of DescribeImageBuilders' list. */
named(
  'ImageBuilderAnswer',
  'The image builder of that name, as DescribeImageBuilders describes it.',
  ImageBuilderAnswer,
);

/** `<Operation>Response`: the AWS response, as the service passes it on (JSON, no `$metadata`). */
const awsResponses = byOperation((name) =>
  named(
    `${name}Response`,
    `The AWS ${name} response, as AWS answered it (timestamps as ISO 8601 strings).`,
    responseSchemas[name],
  ),
);

/** What a route answers on success: the AWS response, and the token where AWS does not echo it. */
byOperation((name): z.ZodMiniType => {
  const member = operations[name].tokenEchoMember;
  if (!member) return awsResponses[name];
  return named(
    `${name}Result`,
    `The AWS ${name} response, and \`${member}\`: the idempotency key of the request.`,
    z.extend(responseSchemas[name], { [member]: ClientToken }),
  );
});

export const FieldError = named(
  'FieldError',
  'One problem in the request: where (an RFC 6901 JSON Pointer, empty for the whole request) and what.',
  z.strictObject({ path: z.string(), message: z.string() }),
);

export const Problem = named(
  'Problem',
  'An RFC 9457 problem details document: every error the service answers.',
  z.strictObject({
    type: described('`urn:image-provisioner:problem:<code>`.', z.string()),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: described('Stable error code: one of the service or the AWS error name.', z.string()),
    requestId: described(
      "API Gateway's request id: quote it when reporting a problem.",
      z.string(),
    ),
    errors: z.optional(z.array(FieldError)),
  }),
);

export const GatewayMessage = named(
  'GatewayMessage',
  'What API Gateway answers itself, before or instead of the function (not problem+json).',
  z.strictObject({ message: z.string() }),
);

const ErrorDetails = named(
  'ErrorDetails',
  'What the caller was answered for a request that failed.',
  z.strictObject({
    code: z.string(),
    status: z.int(),
    title: z.string(),
    detail: z.string(),
    retryable: z.boolean(),
    retryAfterSeconds: z.optional(z.int()),
    errors: z.optional(z.array(FieldError)),
  }),
);

const Readiness = named(
  'Readiness',
  'The follow-through of an image builder created, stopped, started or deleted: where the watch stands (`READY`: it got where the request sent it).',
  z.strictObject({
    name: z.string(),
    arn: z.optional(z.string()),
    state: z.enum(['WATCHING', 'READY', 'FAILED', 'TIMED_OUT']),
    startedAt: dateTime('When the watch began.'),
    deadline: dateTime('When the wait ends without the resource usable (`TIMED_OUT`).'),
    checks: z.int(),
    nextCheckAt: z.optional(dateTime('When the next check is due (while `WATCHING`).')),
    lastSeenState: z.optional(z.string()),
    lastSeenAt: z.optional(dateTime('When the resource was last read.')),
    readyAt: z.optional(dateTime('When the resource was first seen usable.')),
    endedAt: z.optional(dateTime('When the watch ended.')),
  }),
);

const OperationNameSchema = named(
  'OperationName',
  'The AWS name of an operation the service offers.',
  z.enum(OPERATION_NAMES),
);

export const RequestStatus = named(
  'RequestStatus',
  'What the request ledger holds of one request.',
  z.strictObject({
    operation: OperationNameSchema,
    clientToken: ClientToken,
    status: z.enum(['IN_PROGRESS', 'SUCCEEDED', 'FAILED']),
    correlationId: z.optional(CorrelationId),
    requestedBy: z.optional(z.string()),
    channel: Channel,
    createdAt: dateTime('When the request was first seen.'),
    updatedAt: dateTime('When its record last changed.'),
    response: z.optional(
      described(
        'The AWS response, for a request that succeeded.',
        z.union(OPERATION_NAMES.map((name) => awsResponses[name])),
      ),
    ),
    error: z.optional(ErrorDetails),
    outcomeIds: described(
      'The ids of the outcomes committed for the request, in order.',
      z.array(z.string()),
    ),
    readiness: z.optional(Readiness),
  }),
);

/** `<Operation>Message`: one request on the queue. */
const messageSchemas = byOperation((name) =>
  named(
    `${name}Message`,
    `A ${name} request on the request queue.`,
    z.strictObject({
      operation: z.literal(name),
      clientToken: z.optional(
        described(
          `The idempotency key; else the request's ${operations[name].tokenMember ?? 'token member'}, else the SQS message id.`,
          ClientToken,
        ),
      ),
      correlationId: z.optional(CorrelationId),
      request: requestSchemas[name],
    }),
  ),
);

export const RequestMessage = named(
  'RequestMessage',
  'The body of a message on the request queue: one operation, its idempotency key and the AWS request.',
  z.union(OPERATION_NAMES.map((name) => messageSchemas[name])),
);

/** The CloudEvents 1.0 envelope (structured JSON) every event of the service shares. */
const cloudEvent = <T extends z.ZodMiniType>(type: string, data: T) =>
  z.strictObject({
    specversion: z.literal('1.0'),
    id: described(
      'Derived from the request and what happened: a redelivered copy carries the same id.',
      z.string(),
    ),
    source: described('`image-provisioner.<stage>` (`OUTCOME_SOURCE`).', z.string()),
    type: z.literal(type),
    subject: z.optional(
      described('The resource ARN, or its name when no ARN is known.', z.string()),
    ),
    time: dateTime('When the ledger committed the event.'),
    datacontenttype: z.literal('application/json'),
    data,
  });

const caller = {
  correlationId: z.optional(CorrelationId),
  channel: Channel,
  requestedBy: z.optional(
    described('The caller: IAM principal ARN or JWT subject (HTTP), SQS sender id.', z.string()),
  ),
};

export const OutcomeError = named(
  'OutcomeError',
  'Why a request failed.',
  z.strictObject({
    code: z.string(),
    message: z.string(),
    retryable: described('Whether the same request, sent again, can succeed.', z.boolean()),
    errors: z.optional(z.array(FieldError)),
  }),
);

const RESPONSE_LOCATION =
  "Set instead of `response` when the event would exceed SNS's 256 KiB: the status lookup's path for the request.";

/** The CloudEvents outcome of one operation (or `Unknown`) with one status. */
const outcome = <S extends 'SUCCEEDED' | 'FAILED', M extends z.core.$ZodLooseShape>(
  name: string,
  status: S,
  description: string,
  members: M,
) =>
  named(
    `${name}${status === 'SUCCEEDED' ? 'Succeeded' : 'Failed'}Outcome`,
    description,
    cloudEvent(
      OUTCOME_EVENT_TYPE,
      z.strictObject({
        operation: z.literal(name),
        clientToken: z.optional(ClientToken),
        ...caller,
        status: z.literal(status),
        ...members,
      }),
    ),
  );

/** The outcomes, one per operation and status, plus the FAILED outcome of an unreadable message. */
const outcomeEvents: Record<string, z.ZodMiniObject> = {};
for (const name of OPERATION_NAMES) {
  outcomeEvents[`${name}Succeeded`] = outcome(name, 'SUCCEEDED', `A ${name} request succeeded.`, {
    response: z.optional(awsResponses[name]),
    responseLocation: z.optional(described(RESPONSE_LOCATION, z.string())),
  });
}
for (const name of [...OPERATION_NAMES, 'Unknown'] as const) {
  outcomeEvents[`${name}Failed`] = outcome(
    name,
    'FAILED',
    name === 'Unknown'
      ? 'A queue message that could not be read (not JSON, no known operation, too large).'
      : `A ${name} request failed.`,
    { error: OutcomeError },
  );
}

export const ProvisioningOutcome = named(
  'ProvisioningOutcome',
  'What became of one request (SNS attribute `event`: `ProvisioningOutcome`).',
  z.union(Object.values(outcomeEvents)),
);

export const ImageBuilderView = named(
  'ImageBuilderView',
  'The image builder as the last check described it.',
  z.looseObject({
    Name: z.string(),
    Arn: z.optional(z.string()),
    State: described(
      "AppStream's ImageBuilderState, or `NOT_FOUND` when the builder is gone.",
      z.string(),
    ),
    StateChangeReason: z.optional(
      z.looseObject({ Code: z.optional(z.string()), Message: z.optional(z.string()) }),
    ),
    ImageBuilderErrors: z.optional(
      z.array(
        z.looseObject({
          ErrorCode: z.optional(z.string()),
          ErrorMessage: z.optional(z.string()),
          ErrorTimestamp: z.optional(dateTime('When the error happened.')),
        }),
      ),
    ),
  }),
);

/** The operations that announce each follow-through event, by event name. */
export const followedBy = new Map<string, OperationName[]>();
for (const name of OPERATION_NAMES) {
  for (const event of Object.values(operations[name].readiness?.events ?? {})) {
    followedBy.set(event, [...(followedBy.get(event) ?? []), name]);
  }
}

/** The follow-through events, by event name, each of the operations that announce it. */
export const readinessEvents: Record<string, z.ZodMiniObject> = {};
for (const [event, names] of followedBy) {
  readinessEvents[event] = named(
    `${event}Event`,
    `Follow-through of ${names.join(', ')}: ${event}.`,
    cloudEvent(
      readinessEventType(event),
      z.strictObject({
        operation: z.enum(names),
        clientToken: ClientToken,
        ...caller,
        event: z.literal(event),
        resource: z.optional(ImageBuilderView),
        resourceLocation: z.optional(
          described(
            "Set instead of `resource` when the event would exceed SNS's 256 KiB: the status lookup's path.",
            z.string(),
          ),
        ),
      }),
    ),
  );
}
