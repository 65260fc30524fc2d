import { describe, expect, it } from 'vitest';
import {
  fromWireItem,
  itemSize,
  keyText,
  pickKey,
  sameItem,
  toWireItem,
} from '../../../../local/streams/attributeValues.js';
import type { WireItem } from '../../../../local/streams/streamRecord.js';

const wire: WireItem = {
  pk: { S: 'CreateImageBuilder#t-1' },
  count: { N: '-12.5' },
  payload: { B: 'AAH+' },
  tags: { SS: ['b', 'a'] },
  sizes: { NS: ['1', '2'] },
  blobs: { BS: ['AQ==', 'Ag=='] },
  outcomes: { L: [{ M: { id: { S: 'o-1' }, ok: { BOOL: true }, none: { NULL: true } } }] },
};

describe('attribute values', () => {
  it('turns the JSON protocol form into the SDK form and back, binaries as bytes in between', () => {
    const sdk = fromWireItem(wire);

    expect(sdk.payload).toEqual({ B: new Uint8Array([0, 1, 254]) });
    expect(sdk.blobs).toEqual({ BS: [new Uint8Array([1]), new Uint8Array([2])] });
    expect(toWireItem(sdk)).toEqual(wire);
  });

  it('refuses a value of no known type', () => {
    expect(() => toWireItem({ x: {} })).toThrow(/Unknown attribute value type: nothing/);
  });

  it('compares images attribute by attribute, set members in any order, lists in order', () => {
    expect(sameItem(wire, structuredClone(wire))).toBe(true);
    expect(sameItem(wire, { ...wire, tags: { SS: ['a', 'b'] } })).toBe(true);
    expect(sameItem(wire, { ...wire, tags: { SS: ['a', 'c'] } })).toBe(false);
    expect(sameItem(wire, { ...wire, count: { S: '-12.5' } })).toBe(false);
    expect(
      sameItem({ l: { L: [{ S: 'a' }, { S: 'b' }] } }, { l: { L: [{ S: 'b' }, { S: 'a' }] } }),
    ).toBe(false);
    expect(sameItem(wire, { ...wire, extra: { NULL: true } })).toBe(false);
    expect(sameItem(undefined, undefined)).toBe(true);
    expect(sameItem(wire, undefined)).toBe(false);
  });

  it('picks the key attributes of an item, and names a key whatever its attribute order', () => {
    const key = pickKey({ sk: { N: '1' }, pk: { S: 'a' }, other: { S: 'x' } }, ['pk', 'sk']);

    expect(key).toEqual({ pk: { S: 'a' }, sk: { N: '1' } });
    expect(keyText(key)).toBe(keyText({ sk: { N: '1' }, pk: { S: 'a' } }));
    expect(keyText(key)).not.toBe(keyText({ pk: { S: 'a' }, sk: { N: '2' } }));
  });

  // The sizes DynamoDB Local reports as SizeBytes for an attribute `v` of each value.
  it.each([
    [{ N: '0' }, 1],
    [{ N: '1' }, 2],
    [{ N: '1000' }, 2],
    [{ N: '123' }, 3],
    [{ N: '12345.678' }, 6],
    [{ N: '0.001' }, 2],
    [{ N: '1.5' }, 3],
    [{ N: '-5' }, 3],
    [{ N: '-12345.678' }, 7],
    [{ N: '1E+10' }, 2],
    [{ N: '1.0000001' }, 6],
    [{ S: 'é' }, 2],
    [{ B: 'AQID' }, 3],
    [{ BOOL: true }, 1],
    [{ NULL: true }, 1],
    [{ L: [] }, 3],
    [{ M: { k: { S: 'ab' } } }, 7],
    [{ L: [{ N: '1' }, { N: '2' }] }, 9],
    [{ SS: ['a', 'bb'] }, 3],
    [{ NS: ['1', '22'] }, 4],
  ] as const)('sizes %j as DynamoDB does: %d bytes and the name', (value, size) => {
    expect(itemSize({ v: value } as WireItem)).toBe(1 + size);
  });
});
