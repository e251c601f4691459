/** Byte patterns and collectors shared by the link tests and their child programs. */
import type { SerialLink } from "../../src/link/serial-link.js";

/** 0x00..0xff once: every value a cooked tty could eat or rewrite is in here. */
export function allByteValues(): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, i) => i);
}

/** `rounds` copies of 0x00..0xff, each round rotated so every value meets every chunk edge. */
export function byteRounds(rounds: number): Uint8Array {
  const out = new Uint8Array(256 * rounds);
  for (let r = 0; r < rounds; r++) for (let i = 0; i < 256; i++) out[r * 256 + i] = (i + r * 37) & 0xff;
  return out;
}

/** Writes bytes in chunks of the given sizes (cycling), as separate write() calls. */
export function writeInChunks(link: SerialLink, bytes: Uint8Array, sizes: readonly number[]): void {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    link.write(bytes.subarray(at, at + size));
    at += size;
  }
}

/** Resolves with exactly n bytes from the link; rejects on more, on close, or after timeoutMs. */
export function collect(link: SerialLink, n: number, timeoutMs = 10_000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const got = new Uint8Array(n);
    let have = 0;
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      link.off("data", onData);
      link.off("close", onClose);
      if (err) reject(err);
      else resolve(got);
    };
    const onData = (chunk: Uint8Array): void => {
      if (chunk.length > n - have) {
        finish(new Error(`got ${have + chunk.length} bytes, expected ${n}`));
        return;
      }
      got.set(chunk, have);
      have += chunk.length;
      if (have === n) finish();
    };
    const onClose = (reason: string): void => finish(new Error(`link closed after ${have}/${n} bytes: ${reason}`));
    const timer = setTimeout(() => finish(new Error(`timed out after ${have}/${n} bytes`)), timeoutMs);
    link.on("data", onData);
    link.on("close", onClose);
  });
}
