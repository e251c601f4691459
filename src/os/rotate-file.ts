/** Keeps the last few copies of a file a run rewrites (link.pcapng -> link.1.pcapng ...). */
import { promises as fs } from "node:fs";
import { extname } from "node:path";

/** The n-th older copy of path: link.pcapng, 2 -> link.2.pcapng. */
export function rotatedName(path: string, n: number): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.${n}${ext}`;
}

/** Moves path to its .1 copy, .1 to .2 and so on; the copy past `keep` is dropped. */
export async function rotateFile(path: string, keep = 3): Promise<void> {
  for (let n = keep; n >= 1; n--) {
    const from = n === 1 ? path : rotatedName(path, n - 1);
    await fs.rename(from, rotatedName(path, n)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") throw e;
    });
  }
}
