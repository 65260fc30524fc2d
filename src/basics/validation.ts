import type * as z from 'zod/mini';
import { $ZodType, util } from 'zod/v4/core';
import { type FieldError, listErrors, unlistedMessage } from './fieldError.js';
import { toJsonPointer } from './jsonPointer.js';
import { isRecord } from './records.js';

export type { FieldError } from './fieldError.js';

type ValidationResult<T> = { success: true; data: T } | { success: false; errors: FieldError[] };

/** zod/mini ships no locale: this is its text when nobody supplied a message. */
const ZOD_DEFAULT_MESSAGE = 'Invalid input';

/**
 * Validates `value` against `schema`. Never throws for JSON input; on failure every problem is a
 * FieldError whose path starts with `pointerPrefix` (e.g. '/request'), sorted by path, each
 * pointer whole; past a bound on their number and size, the rest are counted.
 */
export function validate<T>(
  schema: z.ZodMiniType<T>,
  value: unknown,
  pointerPrefix = '',
): ValidationResult<T> {
  const result = schema.safeParse(value, { error: messageFor });
  if (result.success) {
    // A schema that skips an own `__proto__` key (zod's record does, as assigning it would set
    // the prototype) would call AWS without a member the caller sent: refuse it instead.
    const dropped = droppedProtoKeys(value, result.data);
    if (dropped.length === 0) return { success: true, data: result.data };
    const drafts = dropped.map((path) => ({ path, message: 'unsupported key' }));
    return { success: false, errors: finish(drafts, pointerPrefix) };
  }
  const drafts = result.error.issues.flatMap(toDrafts);
  if (drafts.length === 0) drafts.push({ path: [], message: 'is invalid' });
  return { success: false, errors: finish(drafts, pointerPrefix) };
}

interface Draft {
  path: ReadonlyArray<PropertyKey>;
  message: string;
}

const toDrafts = (issue: z.core.$ZodIssue): Draft[] => {
  switch (issue.code) {
    // zod reports all unknown keys once, on their parent; callers want to see each one.
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...issue.path, key], message: 'unknown field' }));
    // The path already ends with the key: the problem is the key itself, not its value.
    case 'invalid_key':
      return issue.issues.map((inner) => ({ path: issue.path, message: `key ${inner.message}` }));
    default:
      return [{ path: issue.path, message: issue.message }];
  }
};

const finish = (drafts: Draft[], pointerPrefix: string): FieldError[] => {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const { path, message } of drafts) {
    const pointer = pointerPrefix + toJsonPointer(path);
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ path: pointer, message });
  }
  // Code-unit order, not locale order: the same request must give the same bytes everywhere.
  errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const { listed, unlisted } = listErrors(errors);
  if (unlisted === 0) return listed;
  return [
    ...listed,
    { path: pointerPrefix, message: unlistedMessage(unlisted, listed.length, 'error(s)') },
  ];
};

interface Visit {
  node: unknown;
  /** What the schema made of `node`. */
  parsed: unknown;
  key?: PropertyKey;
  parent?: Visit;
}

const pathOf = (visit: Visit): PropertyKey[] => {
  const path: PropertyKey[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
};

/**
 * Where `value` holds an own `__proto__` key that `parsed`, the schema's result, lost. Walks both
 * side by side, only where the result kept a member; iterative, and paths are built only for
 * hits, so deeply nested input costs linear time and no call stack.
 */
const droppedProtoKeys = (value: unknown, parsed: unknown): PropertyKey[][] => {
  const found: PropertyKey[][] = [];
  const stack: Visit[] = [{ node: value, parsed }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { node, parsed: result } = visit;
    if (Array.isArray(node)) {
      if (!Array.isArray(result)) continue;
      node.forEach((item: unknown, index) => {
        stack.push({ node: item, parsed: result[index], key: index, parent: visit });
      });
      continue;
    }
    if (!isRecord(node) || !isRecord(result)) continue;
    for (const [key, child] of Object.entries(node)) {
      const kept = Object.hasOwn(result, key);
      if (key === '__proto__' && !kept) found.push([...pathOf(visit), key]);
      else if (kept) stack.push({ node: child, parsed: result[key], key, parent: visit });
    }
  }
  return found;
};

// ---------------------------------------------------------------------------------------------
// Messages. Built from the issue and the schema that owns it, never from the input value, so a
// message stays short whatever was sent.
// ---------------------------------------------------------------------------------------------

type RawIssue = z.core.$ZodRawIssue;

const messageFor = (issue: RawIssue): string => {
  // JSON has no undefined: a value zod saw as undefined is a member that was left out.
  const missing = issue.input === undefined;
  switch (issue.code) {
    case 'invalid_type':
      return missing ? 'is required' : typeMessage(issue);
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue);
    case 'invalid_value':
      if (missing) return 'is required';
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' && issue.pattern !== undefined
        ? `must match pattern ${patternSource(issue.pattern)}`
        : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return 'unknown field';
    case 'invalid_key':
      return 'has an invalid key';
    default:
      return issue.message && issue.message !== ZOD_DEFAULT_MESSAGE ? issue.message : 'is invalid';
  }
};

const typeMessage = (issue: Extract<RawIssue, { code: 'invalid_type' }>): string => {
  switch (issue.expected) {
    case 'string':
      return 'must be a string';
    case 'boolean':
      return 'must be a boolean';
    case 'int':
      return 'must be an integer';
    case 'number':
      return isInteger(issue.schema) ? 'must be an integer' : 'must be a number';
    case 'object':
    case 'record':
    case 'map':
      return 'must be an object';
    case 'array':
    case 'tuple':
    case 'set':
      return 'must be an array';
    case 'null':
      return 'must be null';
    default:
      return `must be of type ${issue.expected}`;
  }
};

type SizeIssue = Extract<RawIssue, { code: 'too_small' | 'too_big' }>;

const sizeMessage = (issue: SizeIssue): string => {
  const bounds = boundsOf(issue.schema);
  const min = issue.code === 'too_small' ? Number(issue.minimum) : bounds.min;
  const max = issue.code === 'too_big' ? Number(issue.maximum) : bounds.max;
  // The owning schema knows both ends of a range; the issue only the end that was crossed.
  const low = bounds.min ?? min;
  const high = bounds.max ?? max;
  switch (issue.origin) {
    case 'string':
      return issue.code === 'too_small'
        ? `must be at least ${min} character(s) long`
        : `must be at most ${max} characters long`;
    case 'array':
    case 'set':
      return countMessage(issue.code, low, high, 'items', 'item(s)');
    case 'record':
      return countMessage(issue.code, low, high, 'entries', 'entries');
    default: {
      const kind = issue.origin === 'int' || isInteger(issue.schema) ? 'an integer' : 'a number';
      if (low !== undefined && high !== undefined)
        return `must be ${kind} between ${low} and ${high}`;
      return issue.code === 'too_small' ? `must be at least ${min}` : `must be at most ${max}`;
    }
  }
};

const countMessage = (
  code: 'too_small' | 'too_big',
  low: number | undefined,
  high: number | undefined,
  plural: string,
  atLeastUnit: string,
): string => {
  if (low !== undefined && low > 0 && high !== undefined) {
    return `must have between ${low} and ${high} ${plural}`;
  }
  return code === 'too_small'
    ? `must have at least ${low} ${atLeastUnit}`
    : `must have at most ${high} ${plural}`;
};

/** zod reports a RegExp as `/source/flags`; the model's pattern is the source. */
const patternSource = (pattern: string): string =>
  pattern.startsWith('/') && pattern.lastIndexOf('/') > 0
    ? pattern.slice(1, pattern.lastIndexOf('/'))
    : pattern;

// ---------------------------------------------------------------------------------------------
// Reading a schema's declared bounds back from its zod definition.
// ---------------------------------------------------------------------------------------------

/** The members of zod's check definitions that carry bounds. */
interface BoundCheckDef {
  check?: string;
  value?: unknown;
  inclusive?: boolean;
  minimum?: unknown;
  maximum?: unknown;
  format?: string;
}

interface Bounds {
  min?: number;
  max?: number;
  format?: string;
}

type Owner = z.core.$ZodType | z.core.$ZodCheck | undefined;

const checkDefsOf = (schema: z.core.$ZodType): BoundCheckDef[] => {
  const def = schema._zod.def as BoundCheckDef & { checks?: z.core.$ZodCheck[] };
  // A format schema such as z.int32() is its own first check.
  return [def, ...(def.checks ?? []).map((check) => check._zod.def as BoundCheckDef)];
};

const isSchema = (owner: Owner): owner is z.core.$ZodType => owner instanceof $ZodType;

const boundsOf = (owner: Owner): Bounds => {
  const bounds: Bounds = {};
  if (!isSchema(owner)) return bounds;
  const raise = (value: unknown): void => {
    if (typeof value === 'number') bounds.min = Math.max(value, bounds.min ?? value);
  };
  const lower = (value: unknown): void => {
    if (typeof value === 'number') bounds.max = Math.min(value, bounds.max ?? value);
  };
  for (const def of checkDefsOf(owner)) {
    switch (def.check) {
      case 'greater_than':
        if (def.inclusive) raise(def.value);
        break;
      case 'less_than':
        if (def.inclusive) lower(def.value);
        break;
      case 'min_length':
      case 'min_size':
        raise(def.minimum);
        break;
      case 'max_length':
      case 'max_size':
        lower(def.maximum);
        break;
      case 'number_format': {
        bounds.format = def.format;
        const range = def.format ? util.NUMBER_FORMAT_RANGES[def.format as 'int32'] : undefined;
        if (range) {
          raise(range[0]);
          lower(range[1]);
        }
        break;
      }
    }
  }
  // Checks written outside zod (map entry counts) publish their bounds through the bag.
  raise(owner._zod.bag.minimum);
  lower(owner._zod.bag.maximum);
  return bounds;
};

const isInteger = (owner: Owner): boolean => boundsOf(owner).format?.includes('int') ?? false;
