/**
 * Distinguished names as people read them: "CN=hmc-1, O=IBM", attributes in the order
 * they are encoded, RFC 4514's escapes, "+" within a multi-valued RDN, and an attribute
 * that is not a string as "#" and its hex. Short names are @peculiar/x509's, which writes
 * the names we issue, so a name reads the same whichever side printed it.
 */
import { DerError, readOid, sequenceOf, Tag, type DerNode } from "./der.js";

const SHORT_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "0.9.2342.19200300.100.1.25": "DC",
  "1.2.840.113549.1.9.1": "E",
  "2.5.4.42": "G",
  "2.5.4.43": "I",
  "2.5.4.4": "SN",
  "2.5.4.12": "T",
};

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf16be = new TextDecoder("utf-16be", { fatal: true });

/** The text of a directory string, or undefined for a type that is not one. */
function stringValue(node: DerNode): string | undefined {
  switch (node.tag) {
    case 0x0c: // UTF8String
      return utf8.decode(node.content);
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x1a: // VisibleString
    case 0x14: // TeletexString, read as Latin-1 as OpenSSL does
      return latin1.decode(node.content);
    case 0x1e: // BMPString
      return utf16be.decode(node.content);
    case 0x1c: // UniversalString
      if (node.content.length % 4 !== 0) throw new DerError("a UniversalString is not whole characters");
      return Array.from({ length: node.content.length / 4 }, (_, i) =>
        String.fromCodePoint(new DataView(node.content.buffer, node.content.byteOffset + i * 4, 4).getUint32(0)),
      ).join("");
    default:
      return undefined;
  }
}

function escape(value: string): string {
  return value
    .replace(/([,+"\\<>;])/g, "\\$1")
    .replace(/^([ #])/, "\\$1")
    .replace(/ $/, "\\ ")
    .replace(/[\r\n\t]/g, (c) => `\\${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** The Name at `node` (a SEQUENCE of RDN SETs) as text. Throws DerError. */
export function nameToString(node: DerNode): string {
  return sequenceOf(node, "name")
    .map((rdn) =>
      sequenceOf(rdn, "relative distinguished name", Tag.set)
        .map((attribute) => {
          const [type, value, ...rest] = sequenceOf(attribute, "name attribute");
          if (value === undefined || rest.length > 0) throw new DerError("a name attribute is not a type and a value");
          const oid = readOid(type, "name attribute type");
          const text = stringValue(value);
          return `${SHORT_NAMES[oid] ?? oid}=${text === undefined ? `#${Buffer.from(value.bytes).toString("hex")}` : escape(text)}`;
        })
        .join("+"),
    )
    .join(", ");
}
