/** Writing secrets, certificates and state so that a reader never sees half a file. */
import { promises as fs } from "node:fs";

/**
 * Writes `text` to a temporary file beside `path` with `mode`, flushes it to disk, then
 * renames it into place (atomic on one file system). The temporary file is removed on failure.
 */
export async function writeFileAtomic(path: string, text: string | Uint8Array, mode: number): Promise<void> {
  const aside = `${path}.${process.pid}.tmp`;
  try {
    const file = await fs.open(aside, "w", mode);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.rename(aside, path);
  } catch (error) {
    await fs.rm(aside, { force: true });
    throw error;
  }
}
