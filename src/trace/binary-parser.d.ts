/**
 * binary-parser 2.x ships its typings beside the CommonJS build only, so the ESM entry
 * resolves untyped under NodeNext. This declares the subset the capture reader uses.
 */
declare module "binary-parser" {
  interface ParserOptions {
    type?: string | Parser;
    length?: number | string;
  }
  export class Parser {
    endianness(e: "little" | "big"): this;
    uint8(name: string): this;
    uint16(name: string): this;
    int32(name: string): this;
    uint32(name: string): this;
    array(name: string, options: ParserOptions): this;
    sizeOf(): number;
    parse(buffer: Uint8Array): unknown;
  }
}
