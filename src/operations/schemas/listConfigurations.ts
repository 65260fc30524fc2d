import * as z from 'zod/mini';
import { FilterList, PaginationToken, RestrictedInteger } from './constraints.js';

/**
 * com.amazonaws.imagebuilder#ListInfrastructureConfigurationsRequest and
 * com.amazonaws.imagebuilder#ListDistributionConfigurationsRequest: the same three members
 * (`filters` on `name`, pages of `maxResults` 1..25 after `nextToken`).
 */
const listConfigurationsInput = () =>
  z.strictObject({
    filters: z.optional(FilterList),
    maxResults: z.optional(RestrictedInteger),
    nextToken: z.optional(PaginationToken),
  });

export const ListInfrastructureConfigurationsInput = listConfigurationsInput();
export type ListInfrastructureConfigurationsInput = z.output<
  typeof ListInfrastructureConfigurationsInput
>;

export const ListDistributionConfigurationsInput = listConfigurationsInput();
export type ListDistributionConfigurationsInput = z.output<
  typeof ListDistributionConfigurationsInput
>;
