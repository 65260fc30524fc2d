import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from 'aws-lambda';
import type { WireItem } from './streamRecord.js';

/**
 * An attribute value as the SDK's clients hand it out (binaries as bytes). The DynamoDB and
 * DynamoDB Streams clients each declare their own type of this shape.
 */
export interface SdkValue {
  S?: string;
  N?: string;
  B?: Uint8Array;
  SS?: string[];
  NS?: string[];
  BS?: Uint8Array[];
  M?: Record<string, SdkValue>;
  L?: SdkValue[];
  NULL?: boolean;
  BOOL?: boolean;
  $unknown?: [string, unknown];
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const typeOf = (value: object): string => Object.keys(value).join(',') || 'nothing';

/** The SDK's value as DynamoDB's JSON protocol writes it (and Lambda's stream events carry it). */
export const toWire = (value: SdkValue): AttributeValue => {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: toWireItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toWire) };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  throw new Error(`Unknown attribute value type: ${typeOf(value)}`);
};

export const toWireItem = (item: Record<string, SdkValue>): WireItem =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toWire(value)]));

/** A value of the JSON protocol as the SDK's DynamoDB client takes it. */
export const fromWire = (value: AttributeValue): SdkAttributeValue => {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: bytes(value.B) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(bytes) };
  if (value.M !== undefined) return { M: fromWireItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(fromWire) };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  throw new Error(`Unknown attribute value type: ${typeOf(value)}`);
};

export const fromWireItem = (item: WireItem): Record<string, SdkAttributeValue> =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, fromWire(value)]));

const sameMembers = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort();
  return [...a].sort().every((member, index) => member === sorted[index]);
};

const sameValue = (a: AttributeValue, b: AttributeValue): boolean => {
  if (a.S !== undefined || a.N !== undefined || a.B !== undefined) {
    return a.S === b.S && a.N === b.N && a.B === b.B;
  }
  if (a.NULL !== undefined || a.BOOL !== undefined) return a.NULL === b.NULL && a.BOOL === b.BOOL;
  // Sets have no order.
  if (a.SS !== undefined) return b.SS !== undefined && sameMembers(a.SS, b.SS);
  if (a.NS !== undefined) return b.NS !== undefined && sameMembers(a.NS, b.NS);
  if (a.BS !== undefined) return b.BS !== undefined && sameMembers(a.BS, b.BS);
  if (a.M !== undefined) return b.M !== undefined && sameItem(a.M, b.M);
  if (a.L !== undefined) {
    const list = b.L;
    return (
      list !== undefined &&
      a.L.length === list.length &&
      a.L.every((value, index) => sameValue(value, list[index] as AttributeValue))
    );
  }
  return false;
};

/** Whether two item images hold the same attributes (set members in any order). */
export const sameItem = (a: WireItem | undefined, b: WireItem | undefined): boolean => {
  if (a === undefined || b === undefined) return a === b;
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => {
    const other = b[name];
    return other !== undefined && sameValue(a[name] as AttributeValue, other);
  });
};

/** The item's key attributes (those of the table's key schema), in schema order. */
export const pickKey = (item: WireItem, keyAttributes: readonly string[]): WireItem =>
  Object.fromEntries(
    keyAttributes.flatMap((name) => {
      const value = item[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );

/** One text per key, whatever the order of its attributes: for telling keys apart. */
export const keyText = (key: WireItem): string =>
  JSON.stringify(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * DynamoDB's size of a number: its digits in pairs either side of the decimal point (leading and
 * trailing zero pairs dropped), one byte each, plus one; plus one more if negative; 0 takes one.
 * (As DynamoDB Local reports SizeBytes.)
 */
const numberSize = (number: string): number => {
  const [mantissa = '', exponent = '0'] = number.replace(/^[-+]/, '').toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  let digits = `${whole}${fraction}`;
  let point = whole.length + Number(exponent);
  while (digits.startsWith('0')) {
    digits = digits.slice(1);
    point -= 1;
  }
  digits = digits.replace(/0+$/, '');
  if (digits === '') return 1;
  if (Math.abs(point % 2) === 1) digits = `0${digits}`;
  if (digits.length % 2 === 1) digits = `${digits}0`;
  return digits.length / 2 + 1 + (number.startsWith('-') ? 1 : 0);
};

const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8Length(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return Buffer.byteLength(value.B, 'base64');
  if (value.SS !== undefined) return value.SS.reduce((sum, member) => sum + utf8Length(member), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, member) => sum + numberSize(member), 0);
  if (value.BS !== undefined) {
    return value.BS.reduce((sum, member) => sum + Buffer.byteLength(member, 'base64'), 0);
  }
  // Documents: 3 bytes, and 1 byte for each element.
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [name, member]) => sum + utf8Length(name) + valueSize(member) + 1,
      3,
    );
  }
  if (value.L !== undefined) return value.L.reduce((sum, member) => sum + valueSize(member) + 1, 3);
  return 1; // NULL, BOOL
};

/** An item's size by DynamoDB's rules: attribute names and values, UTF-8 and binary lengths. */
export const itemSize = (item: WireItem | undefined): number =>
  Object.entries(item ?? {}).reduce(
    (sum, [name, value]) => sum + utf8Length(name) + valueSize(value),
    0,
  );
