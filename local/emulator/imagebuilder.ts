import { randomUUID } from 'node:crypto';
import { ServiceError } from './errors.js';
import { instanceProfileNotVisible } from './iamVisibility.js';
import { withClientToken } from './idempotency.js';
import {
  createInfrastructureConfigurationShape,
  deleteInfrastructureConfigurationShape,
  getInfrastructureConfigurationShape,
  INFRASTRUCTURE_MUTABLE_MEMBERS,
  listShape,
  updateInfrastructureConfigurationShape,
} from './imagebuilderShapes.js';
import type { OperationContext, OperationDefinition } from './operation.js';
import { pageOf } from './paging.js';
import type { InfrastructureConfigurationRecord, JsonObject, TagMap } from './state.js';
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
export function notFound(arn: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `The resource '${arn}' does not exist.`);
}

/** The configuration stored under `arn`; an unknown ARN is ResourceNotFoundException (404). */
export function storedConfiguration<T>(records: Map<string, T>, arn: string): T {
  const record = records.get(arn);
  if (!record) throw notFound(arn);
  return record;
}

/** A create whose ARN is taken: the model's ResourceAlreadyExistsException. */
export function checkNewConfiguration(records: Map<string, unknown>, arn: string): void {
  if (records.has(arn)) {
    throw new ServiceError(
      'ResourceAlreadyExistsException',
      `The resource '${arn}' already exists.`,
    );
  }
}

/** The instance profile was hidden through the control API: Image Builder cannot see it yet. */
function checkInstanceProfile(input: JsonObject, context: OperationContext): void {
  const name = String(input.instanceProfileName);
  if (context.iam.isHidden('instanceProfileName', name, context.now().getTime())) {
    throw instanceProfileNotVisible();
  }
}

/**
 * The configuration writes (Create and Update of both kinds) handle a request the same way: the
 * rules `check` applies first, then under the clientToken (keyed by the operation name) the rules
 * `checkWrite` applies and `write` runs, answering with the token and the ARN `write` returns
 * under `arnMember`. A replay answers before `checkWrite` and `write` run (so before their checks).
 * Given one kind's `arnMember` and rules, answers the maker of that kind's writes.
 */
export function configurationWrites(
  arnMember: string,
  check: (input: JsonObject) => void,
  checkWrite: (input: JsonObject, context: OperationContext) => void = () => {},
) {
  return (
    name: string,
    shape: Shape,
    write: (input: JsonObject, context: OperationContext) => string,
  ): OperationDefinition => ({
    name,
    shape,
    run(input, context) {
      check(input);
      return withClientToken(context, name, input, () => {
        checkWrite(input, context);
        return { clientToken: input.clientToken, [arnMember]: write(input, context) };
      });
    },
  });
}

/** Placement rules first; the instance profile is checked when the write runs. */
const infrastructureConfigurationWrite = configurationWrites(
  'infrastructureConfigurationArn',
  checkPlacement,
  checkInstanceProfile,
);

export const createInfrastructureConfiguration = infrastructureConfigurationWrite(
  'CreateInfrastructureConfiguration',
  createInfrastructureConfigurationShape,
  (input, context) => {
    const name = String(input.name);
    const arn = imagebuilderArn(context, 'infrastructure-configuration', name);
    checkNewConfiguration(context.store.infrastructureConfigurations, arn);
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
    const record = storedConfiguration(context.store.infrastructureConfigurations, arn);
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
    const record = storedConfiguration(context.store.infrastructureConfigurations, arn);
    return {
      requestId: randomUUID(),
      infrastructureConfiguration: {
        arn: record.arn,
        name: record.name,
        ...record.mutable,
        dateCreated: record.dateCreated,
        ...datesOf(record),
        ...tagsOf(record.tags),
      },
    };
  },
};

/** `dateCreated`, and `dateUpdated` once the resource was updated. */
export function datesOf(record: { dateCreated: string; dateUpdated?: string }): JsonObject {
  return {
    dateCreated: record.dateCreated,
    ...(record.dateUpdated === undefined ? {} : { dateUpdated: record.dateUpdated }),
  };
}

/** `{tags}` when there are any: the model's TagMap holds 1 to 50 entries. */
export function tagsOf(tags: TagMap | undefined): JsonObject {
  return tags === undefined || Object.keys(tags).length === 0 ? {} : { tags };
}

/**
 * The `name` filter, the one these List operations document: a resource matches when its name
 * equals one of the values (case-sensitive); several filters must all match. Other filter names
 * and a filter without values are refused with InvalidRequestException.
 */
function nameFilter(filters: JsonObject[] | undefined): (name: string) => boolean {
  const sets = (filters ?? []).map((filter) => {
    if (filter.name !== 'name') {
      throw new ServiceError(
        'InvalidRequestException',
        `The filter name '${String(filter.name)}' is not supported. Supported filter names: name.`,
      );
    }
    if (!Array.isArray(filter.values)) {
      throw new ServiceError('InvalidRequestException', "The filter 'name' requires values.");
    }
    return new Set<unknown>(filter.values);
  });
  return (name) => sets.every((values) => values.has(name));
}

/** A page size of 25 (RestrictedInteger's maximum) unless `maxResults` says otherwise. */
const DEFAULT_PAGE_SIZE = 25;

/**
 * A paginated Image Builder List operation over `records` (`@paginated`: nextToken in and out,
 * items in `itemsMember`, page size maxResults), in ARN order, filtered by name. A token that
 * does not decode, or comes from a request with other filters, fails with
 * InvalidPaginationTokenException.
 */
export function listOperation<R extends { arn: string; name: string }>(
  name: string,
  itemsMember: string,
  records: (context: OperationContext) => Iterable<R>,
  summarize: (record: R) => JsonObject,
): OperationDefinition {
  return {
    name,
    shape: listShape,
    run(input, context) {
      const filters = input.filters as JsonObject[] | undefined;
      const matches = nameFilter(filters);
      const page = pageOf(
        [...records(context)].filter((record) => matches(record.name)),
        (record) => record.arn,
        {
          scope: { name, filters },
          pageSize: typeof input.maxResults === 'number' ? input.maxResults : DEFAULT_PAGE_SIZE,
          nextToken: input.nextToken,
          invalid: () =>
            new ServiceError('InvalidPaginationTokenException', 'The nextToken is not valid.'),
        },
      );
      return {
        requestId: randomUUID(),
        [itemsMember]: page.items.map(summarize),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
  };
}

/** com.amazonaws.imagebuilder#InfrastructureConfigurationSummary: the members it has that are set. */
function infrastructureSummary(record: InfrastructureConfigurationRecord): JsonObject {
  const { description, resourceTags, instanceTypes, instanceProfileName, placement } =
    record.mutable;
  return {
    arn: record.arn,
    name: record.name,
    ...Object.fromEntries(
      Object.entries({
        description,
        resourceTags,
        instanceTypes,
        instanceProfileName,
        placement,
      }).filter(([, value]) => value !== undefined),
    ),
    ...datesOf(record),
    ...tagsOf(record.tags),
  };
}

export const listInfrastructureConfigurations = listOperation(
  'ListInfrastructureConfigurations',
  'infrastructureConfigurationSummaryList',
  (context) => context.store.infrastructureConfigurations.values(),
  infrastructureSummary,
);

/**
 * Refuses to delete a configuration a stand-in image pipeline (control API) uses, with the
 * modelled ResourceDependencyException, as Image Builder does for one a pipeline uses.
 */
export function checkUnused(context: OperationContext, arn: string): void {
  const users = [...context.store.pipelines.values()]
    .filter(
      (pipeline) =>
        pipeline.infrastructureConfigurationArn === arn ||
        pipeline.distributionConfigurationArn === arn,
    )
    .map((pipeline) => pipeline.arn);
  if (users.length > 0) {
    throw new ServiceError(
      'ResourceDependencyException',
      `The resource '${arn}' cannot be deleted because it is used by: ${users.join(', ')}.`,
    );
  }
}

/**
 * Deletes a configuration: ResourceNotFoundException (404) for an unknown ARN, as Get and Update,
 * ResourceDependencyException while a pipeline uses it. Answers with the requestId and the ARN.
 * The model gives Delete no clientToken: deleting again answers ResourceNotFoundException.
 */
export function deleteOperation(
  name: string,
  shape: Shape,
  arnMember: string,
  records: (context: OperationContext) => Map<string, unknown>,
): OperationDefinition {
  return {
    name,
    shape,
    run(input, context) {
      const arn = String(input[arnMember]);
      const store = records(context);
      if (!store.has(arn)) throw notFound(arn);
      checkUnused(context, arn);
      store.delete(arn);
      return { requestId: randomUUID(), [arnMember]: arn };
    },
  };
}

export const deleteInfrastructureConfiguration = deleteOperation(
  'DeleteInfrastructureConfiguration',
  deleteInfrastructureConfigurationShape,
  'infrastructureConfigurationArn',
  (context) => context.store.infrastructureConfigurations,
);
