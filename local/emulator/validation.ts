/**
 * A small, independent model validator: enough Smithy constraint traits (@required, @length,
 * @pattern, @range, enums, list/map sizes) to check the emulated operations' inputs.
 * Patterns are evaluated as a search (RegExp.test), lengths count Unicode code points.
 */
export type Shape =
  | { type: 'string'; min?: number; max?: number; pattern?: RegExp; enum?: readonly string[] }
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'list'; member: Shape; min?: number; max?: number }
  | { type: 'map'; key: Shape; value: Shape; min?: number; max?: number }
  | { type: 'structure'; members: Readonly<Record<string, Shape>>; required?: readonly string[] };

/** `type`: the JSON value has the wrong type; `constraint`: a model trait is violated. */
export interface Violation {
  kind: 'type' | 'constraint';
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}

function constraint(path: string, value: unknown, rule: string): Violation {
  return {
    kind: 'constraint',
    message: `1 validation error detected: Value '${describe(value)}' at '${path}' failed to satisfy constraint: ${rule}`,
  };
}

function typeError(path: string, expected: string): Violation {
  return { kind: 'type', message: `Value at '${path || '$'}' must be a ${expected}` };
}

function checkSize(path: string, value: unknown, size: number, min?: number, max?: number) {
  if (min !== undefined && size < min) {
    return constraint(path, value, `Member must have length greater than or equal to ${min}`);
  }
  if (max !== undefined && size > max) {
    return constraint(path, value, `Member must have length less than or equal to ${max}`);
  }
  return undefined;
}

function validateString(shape: Extract<Shape, { type: 'string' }>, value: unknown, path: string) {
  if (typeof value !== 'string') return typeError(path, 'string');
  const sizeViolation = checkSize(path, value, [...value].length, shape.min, shape.max);
  if (sizeViolation) return sizeViolation;
  if (shape.pattern && !shape.pattern.test(value)) {
    const rule = `Member must satisfy regular expression pattern: ${shape.pattern.source}`;
    return constraint(path, value, rule);
  }
  if (shape.enum && !shape.enum.includes(value)) {
    return constraint(
      path,
      value,
      `Member must satisfy enum value set: [${shape.enum.join(', ')}]`,
    );
  }
  return undefined;
}

function validateInteger(shape: Extract<Shape, { type: 'integer' }>, value: unknown, path: string) {
  if (typeof value !== 'number' || !Number.isInteger(value)) return typeError(path, 'integer');
  if (shape.min !== undefined && value < shape.min) {
    return constraint(path, value, `Member must have value greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && value > shape.max) {
    return constraint(path, value, `Member must have value less than or equal to ${shape.max}`);
  }
  return undefined;
}

function validateStructure(
  shape: Extract<Shape, { type: 'structure' }>,
  value: unknown,
  path: string,
): Violation | undefined {
  if (!isRecord(value)) return typeError(path, 'structure');
  for (const member of shape.required ?? []) {
    if (value[member] === undefined || value[member] === null) {
      return constraint(join(path, member), null, 'Member must not be null');
    }
  }
  for (const [member, memberShape] of Object.entries(shape.members)) {
    const memberValue = value[member];
    if (memberValue === undefined || memberValue === null) continue;
    const violation = validate(memberShape, memberValue, join(path, member));
    if (violation) return violation;
  }
  return undefined; // unknown members are ignored, as AWS services do
}

function join(path: string, member: string): string {
  return path ? `${path}.${member}` : member;
}

/** Returns the first violation found (depth-first, in model member order), if any. */
export function validate(shape: Shape, value: unknown, path = ''): Violation | undefined {
  switch (shape.type) {
    case 'string':
      return validateString(shape, value, path);
    case 'integer':
      return validateInteger(shape, value, path);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : typeError(path, 'boolean');
    case 'structure':
      return validateStructure(shape, value, path);
    case 'list': {
      if (!Array.isArray(value)) return typeError(path, 'list');
      const sizeViolation = checkSize(path, value, value.length, shape.min, shape.max);
      if (sizeViolation) return sizeViolation;
      for (const [index, item] of value.entries()) {
        const violation = validate(shape.member, item, `${path}.${index + 1}.member`);
        if (violation) return violation;
      }
      return undefined;
    }
    case 'map': {
      if (!isRecord(value)) return typeError(path, 'map');
      const entries = Object.entries(value);
      const sizeViolation = checkSize(path, value, entries.length, shape.min, shape.max);
      if (sizeViolation) return sizeViolation;
      for (const [key, entryValue] of entries) {
        const violation =
          validate(shape.key, key, `${path}.${key}.key`) ??
          validate(shape.value, entryValue, `${path}.${key}.value`);
        if (violation) return violation;
      }
      return undefined;
    }
  }
}
