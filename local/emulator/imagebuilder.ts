import { randomUUID } from 'node:crypto';
import { ServiceError } from './errors.js';
import { instanceProfileNotVisible } from './iamVisibility.js';
import { withClientToken } from './idempotency.js';
import {
  createInfrastructureConfigurationShape,
  getInfrastructureConfigurationShape,
  INFRASTRUCTURE_MUTABLE_MEMBERS,
  updateInfrastructureConfigurationShape,
} from './imagebuilderShapes.js';
import type { OperationContext, OperationDefinition } from './operation.js';
import type { JsonObject } from './state.js';
import type { Shape } from './validation.js';

/**
 * ARN resource id of a named resource: the name lower-cased, spaces replaced by `-`, so it
 * always satisfies the model's `[a-z0-9-_]+` (lower-casing matches AWS's published examples;
 * the space handling is an unverified choice). Names differing only in case/space-vs-dash
 * therefore map to the same ARN and collide with ResourceAlreadyExistsException.
 */
export function resourceIdOf(name: string): string {
  return name.toLowerCase().replaceAll(' ', '-');
}

export function imagebuilderArn(context: OperationContext, type: string, name: string): string {
  return `arn:aws:imagebuilder:${context.region}:${context.accountId}:${type}/${resourceIdOf(name)}`;
}

function pickMutable(input: JsonObject): JsonObject {
  const members: JsonObject = {};
  for (const member of INFRASTRUCTURE_MUTABLE_MEMBERS) {
    if (input[member] !== undefined && input[member] !== null) members[member] = input[member];
  }
  return members;
}

/** Docs-only placement rules (no trait), answered with the operation's InvalidRequestException. */
function checkPlacement(input: JsonObject): void {
  const placement = input.placement as JsonObject | undefined;
  if (!placement) return;
  if (placement.hostId !== undefined && placement.hostResourceGroupArn !== undefined) {
    throw new ServiceError(
      'InvalidRequestException',
      'placement.hostId and placement.hostResourceGroupArn are mutually exclusive.',
    );
  }
  const hostTargeted =
    placement.hostId !== undefined || placement.hostResourceGroupArn !== undefined;
  if (hostTargeted && placement.tenancy !== 'host') {
    throw new ServiceError('InvalidRequestException', "A host placement requires tenancy 'host'.");
  }
}

/** The ARN is unknown: answered with the model's ResourceNotFoundException (404), see README. */
function notFound(arn: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `The resource '${arn}' does not exist.`);
}

/** The instance profile was hidden through the control API: Image Builder cannot see it yet. */
function checkInstanceProfile(input: JsonObject, context: OperationContext): void {
  const name = String(input.instanceProfileName);
  if (context.iam.isHidden('instanceProfileName', name, context.now().getTime())) {
    throw instanceProfileNotVisible();
  }
}

/**
 * Create and Update handle a request the same way: placement rules first, then under the
 * clientToken (keyed by the operation name) the instance profile check and `write`, answering
 * with the token and the ARN `write` returns. A replay answers before the profile is checked.
 */
function infrastructureConfigurationWrite(
  name: string,
  shape: Shape,
  write: (input: JsonObject, context: OperationContext) => string,
): OperationDefinition {
  return {
    name,
    shape,
    run(input, context) {
      checkPlacement(input);
      return withClientToken(context, name, input, () => {
        checkInstanceProfile(input, context);
        return {
          clientToken: input.clientToken,
          infrastructureConfigurationArn: write(input, context),
        };
      });
    },
  };
}

export const createInfrastructureConfiguration = infrastructureConfigurationWrite(
  'CreateInfrastructureConfiguration',
  createInfrastructureConfigurationShape,
  (input, context) => {
    const name = String(input.name);
    const arn = imagebuilderArn(context, 'infrastructure-configuration', name);
    if (context.store.infrastructureConfigurations.has(arn)) {
      throw new ServiceError(
        'ResourceAlreadyExistsException',
        `The resource '${arn}' already exists.`,
      );
    }
    const tags = input.tags as Record<string, string> | undefined;
    context.store.infrastructureConfigurations.set(arn, {
      arn,
      name,
      mutable: pickMutable(input),
      ...(tags === undefined ? {} : { tags }),
      dateCreated: context.now().toISOString(),
    });
    return arn;
  },
);

/**
 * Replaces ALL mutable members with those given: an omitted optional member is cleared
 * (the model does not say; full replacement matches how PUT-style updates are used by IaC tools).
 * `name`, `tags` and `dateCreated` are kept; `dateUpdated` is set to now.
 */
export const updateInfrastructureConfiguration = infrastructureConfigurationWrite(
  'UpdateInfrastructureConfiguration',
  updateInfrastructureConfigurationShape,
  (input, context) => {
    const arn = String(input.infrastructureConfigurationArn);
    const record = context.store.infrastructureConfigurations.get(arn);
    if (!record) throw notFound(arn);
    record.mutable = pickMutable(input);
    record.dateUpdated = context.now().toISOString();
    return arn;
  },
);

/**
 * `dateUpdated` only appears once the configuration was updated (as in AWS's CLI examples);
 * `tags` only when the configuration has any, since the model's TagMap holds at least one entry.
 */
export const getInfrastructureConfiguration: OperationDefinition = {
  name: 'GetInfrastructureConfiguration',
  shape: getInfrastructureConfigurationShape,
  run(input, context) {
    const arn = String(input.infrastructureConfigurationArn);
    const record = context.store.infrastructureConfigurations.get(arn);
    if (!record) throw notFound(arn);
    return {
      requestId: randomUUID(),
      infrastructureConfiguration: {
        arn: record.arn,
        name: record.name,
        ...record.mutable,
        dateCreated: record.dateCreated,
        ...(record.dateUpdated === undefined ? {} : { dateUpdated: record.dateUpdated }),
        ...(record.tags === undefined || Object.keys(record.tags).length === 0
          ? {}
          : { tags: record.tags }),
      },
    };
  },
};
