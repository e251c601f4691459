/** Writing secrets and certificates so a reader never sees half a file. */
import { promises as fs } from "node:fs";

/** Writes aside with `mode`, then renames into place (atomic on one file system). */
export async function writeFileAtomic(path: string, text: string, mode: number): Promise<void> {
  const aside = `${path}.${process.pid}.tmp`;
  await fs.writeFile(aside, text, { mode });
  await fs.rename(aside, path);
}
