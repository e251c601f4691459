/**
 * A strict DER walker: just enough to read the fields of certificates and CSRs that
 * node:crypto (OpenSSL) does not expose, as they are encoded. Definite lengths in their
 * shortest form, low tag numbers, every element inside its parent: anything else is a
 * DerError, never a guess. Signatures are checked by OpenSSL, not here.
 */

export class DerError extends Error {
  override readonly name = "DerError";
}

export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** The tag of an explicit or constructed context-specific field `[n]`. */
export const contextTag = (n: number) => 0xa0 | n;

export interface DerNode {
  readonly tag: number;
  /** The whole element: header and content. */
  readonly bytes: Uint8Array;
  readonly content: Uint8Array;
}

/** The element at `at` in `der`. Throws DerError. */
export function readNode(der: Uint8Array, at = 0): DerNode {
  const tag = der[at];
  const first = der[at + 1];
  if (tag === undefined || first === undefined) throw new DerError(`truncated element header at byte ${at}`);
  // Tag number 31 announces a multi-byte tag; nothing in a certificate or CSR uses one.
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tag at byte ${at}`);
  let length = first;
  let header = 2;
  if (first >= 0x80) {
    const lengthBytes = first & 0x7f;
    // 0x80 is BER's indefinite length; more than 4 length bytes is nothing we handle.
    if (lengthBytes === 0 || lengthBytes > 4) throw new DerError(`not a definite DER length at byte ${at}`);
    if (der.length < at + 2 + lengthBytes) throw new DerError(`truncated length at byte ${at}`);
    length = 0;
    for (const byte of der.subarray(at + 2, at + 2 + lengthBytes)) length = length * 256 + byte;
    // DER: the short form below 128, and no leading zero length octet.
    if (length < 0x80 || der[at + 2] === 0) throw new DerError(`length not in its shortest form at byte ${at}`);
    header += lengthBytes;
  }
  const end = at + header + length;
  if (end > der.length) throw new DerError(`element at byte ${at} runs ${end - der.length} bytes past its data`);
  return { tag, bytes: der.subarray(at, end), content: der.subarray(at + header, end) };
}

/** `der` as exactly one element, nothing after it. Throws DerError. */
export function readSingle(der: Uint8Array, what: string): DerNode {
  const node = readNode(der);
  if (node.bytes.length !== der.length) throw new DerError(`${der.length - node.bytes.length} bytes after the ${what}`);
  return node;
}

/** The elements that fill a constructed element's content, in order. Throws DerError. */
export function childrenOf(node: DerNode): DerNode[] {
  if ((node.tag & 0x20) === 0) throw new DerError(`tag 0x${node.tag.toString(16)} is not constructed`);
  const children: DerNode[] = [];
  for (let at = 0; at < node.content.length;) {
    const child = readNode(node.content, at);
    children.push(child);
    at += child.bytes.length;
  }
  return children;
}

/** `node` when its tag is `tag`. Throws DerError naming `what`. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (node === undefined) throw new DerError(`${what} is missing`);
  if (node.tag !== tag) throw new DerError(`${what} has tag 0x${node.tag.toString(16)}, not 0x${tag.toString(16)}`);
  return node;
}

/** The children of a SEQUENCE (or SET) `node`, checked to be one. Throws DerError. */
export function sequenceOf(node: DerNode | undefined, what: string, tag: number = Tag.sequence): DerNode[] {
  return childrenOf(expectTag(node, tag, what));
}

/** An OBJECT IDENTIFIER's dotted form. Throws DerError. */
export function readOid(node: DerNode | undefined, what: string): string {
  const { content } = expectTag(node, Tag.oid, what);
  if (content.length === 0 || (content[content.length - 1]! & 0x80) !== 0) throw new DerError(`${what} is a truncated object identifier`);
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i]!;
    // A leading 0x80 pads an arc, which DER forbids; arcs past 2^53 are nothing real.
    if (value === 0 && byte === 0x80) throw new DerError(`${what} has a padded arc`);
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new DerError(`${what} has an arc too large`);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join(".");
}

/** A BOOLEAN: DER spells TRUE as 0xFF only. Throws DerError. */
export function readBoolean(node: DerNode | undefined, what: string): boolean {
  const { content } = expectTag(node, Tag.boolean, what);
  if (content.length !== 1 || (content[0] !== 0 && content[0] !== 0xff)) throw new DerError(`${what} is not a DER boolean`);
  return content[0] === 0xff;
}

/** A BIT STRING's bits, and how many trailing bits of the last byte are unused. Throws DerError. */
export function readBitString(node: DerNode | undefined, what: string): { bytes: Uint8Array; unusedBits: number } {
  const { content } = expectTag(node, Tag.bitString, what);
  const unusedBits = content[0];
  if (unusedBits === undefined || unusedBits > 7 || (unusedBits > 0 && content.length === 1)) throw new DerError(`${what} is not a bit string`);
  return { bytes: content.subarray(1), unusedBits };
}

/** A UTCTime or GeneralizedTime as RFC 5280 allows them: UTC, to the second. Throws DerError. */
export function readTime(node: DerNode | undefined, what: string): Date {
  if (node === undefined) throw new DerError(`${what} is missing`);
  const text = String.fromCharCode(...node.content);
  const utc = node.tag === Tag.utcTime && /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const general = node.tag === Tag.generalizedTime && /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const parts = utc || general;
  if (!parts) throw new DerError(`${what} is not a UTC time to the second`);
  const [, y, mo, d, h, mi, s] = parts.map(Number) as [number, number, number, number, number, number, number];
  // RFC 5280: a two-digit year 50..99 is 19YY, 00..49 is 20YY.
  const year = utc ? (y >= 50 ? 1900 + y : 2000 + y) : y;
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new DerError(`${what} is not a real date`);
  return date;
}
