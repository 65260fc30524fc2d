/**
 * Just enough CBOR (RFC 8949) to answer Smithy RPC v2 CBOR requests with an error:
 * a definite-length map of text strings. The emulator does not decode CBOR.
 */
function head(majorType: number, length: number): Buffer {
  const major = majorType << 5;
  if (length < 24) return Buffer.from([major | length]);
  if (length < 0x100) return Buffer.from([major | 24, length]);
  if (length < 0x10000) {
    const buffer = Buffer.alloc(3);
    buffer.writeUInt8(major | 25, 0);
    buffer.writeUInt16BE(length, 1);
    return buffer;
  }
  const buffer = Buffer.alloc(5);
  buffer.writeUInt8(major | 26, 0);
  buffer.writeUInt32BE(length, 1);
  return buffer;
}

function textString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([head(3, bytes.length), bytes]);
}

export function encodeCborTextMap(entries: Readonly<Record<string, string>>): Buffer {
  const pairs = Object.entries(entries);
  const parts = [head(5, pairs.length)];
  for (const [key, value] of pairs) parts.push(textString(key), textString(value));
  return Buffer.concat(parts);
}
