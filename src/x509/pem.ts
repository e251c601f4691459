import { PemError } from "./errors.js";

/** One `-----BEGIN <label>-----` ... `-----END <label>-----` block, decoded. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BEGIN_MARKER = /-----BEGIN /g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Every PEM block in `text`, in order. Text around the blocks (openssl's `-text`
 * dump, blank lines) is ignored; CRLF and LF both work. Throws PemError
 * "malformed" for a block that is unterminated, mislabelled at its end, carries
 * RFC 1421 headers (legacy encrypted keys) or is not strict base64.
 */
export function splitPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const [, label = "", body = "", endLabel] of text.matchAll(BLOCK)) {
    if (endLabel !== label) {
      throw new PemError("malformed", `PEM block BEGIN ${label} ends with END ${endLabel}`);
    }
    const base64 = body.replace(/\s+/g, "");
    if (!BASE64.test(base64)) {
      throw new PemError("malformed", `PEM block ${label} is not plain base64`);
    }
    blocks.push({ label, der: new Uint8Array(Buffer.from(base64, "base64")) });
  }
  const begins = text.match(BEGIN_MARKER)?.length ?? 0;
  if (begins !== blocks.length) {
    throw new PemError("malformed", "a PEM BEGIN line has no matching END line");
  }
  return blocks;
}

/** The single block in `text`, whose label must be one of `labels`. */
export function decodeSinglePem(text: string, labels: readonly string[]): PemBlock {
  const blocks = splitPemBlocks(text);
  const [block] = blocks;
  if (block === undefined) {
    throw new PemError("no-block", `expected a PEM ${labels[0] ?? ""} block, found no PEM block`);
  }
  if (blocks.length > 1) {
    throw new PemError("several-blocks", `expected one PEM block, found ${blocks.length}`);
  }
  if (!labels.includes(block.label)) {
    throw new PemError("wrong-label", `expected a PEM ${labels.join(" or ")} block, found ${block.label}`);
  }
  return block;
}

/** RFC 7468 text encoding: 64-column base64 lines and one trailing newline. */
export function encodePem(label: string, der: Uint8Array | ArrayBuffer): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`, ""].join("\n");
}
