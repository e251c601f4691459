import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { removeAtomicLeftovers, renameDurablySync, writeFileAtomic, writeFileAtomicSync } from "../../src/os/files.js";

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), "hb-files-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("writeFileAtomic and its sync twin", () => {
  for (const [name, write] of [
    ["async", writeFileAtomic],
    ["sync", async (p: string, d: string, m: number) => writeFileAtomicSync(p, d, m)],
  ] as const) {
    it(`${name}: gives exactly the mode whatever the umask, replaces and leaves no temporary file`, async () => {
      const dir = scratch();
      const path = join(dir, "f");
      writeFileSync(path, "old");
      const old = process.umask(0o077);
      try {
        await write(path, "new", 0o644);
      } finally {
        process.umask(old);
      }
      expect(readFileSync(path, "utf8")).toBe("new");
      expect(statSync(path).mode & 0o777).toBe(0o644);
      expect(readdirSync(dir)).toEqual(["f"]);
    });

    it(`${name}: a failed rename removes its temporary file and leaves the target as it was`, async () => {
      const dir = scratch();
      const path = join(dir, "f");
      mkdirSync(path); // a file cannot be renamed over a directory
      writeFileSync(join(path, "inside"), "kept");
      await expect(write(path, "new", 0o600)).rejects.toThrow(/EISDIR/);
      expect(readFileSync(join(path, "inside"), "utf8")).toBe("kept");
      expect(readdirSync(dir)).toEqual(["f"]);
    });
  }

  it("removes only its own leftovers, and renames durably", async () => {
    const dir = scratch();
    const path = join(dir, "f");
    writeFileSync(join(dir, ".f.99.1.tmp"), "x");
    writeFileSync(join(dir, "g.tmp"), "x");
    expect(await removeAtomicLeftovers(path)).toEqual([join(dir, ".f.99.1.tmp")]);
    expect(readdirSync(dir)).toEqual(["g.tmp"]);
    renameDurablySync(join(dir, "g.tmp"), path);
    expect(existsSync(path)).toBe(true);
  });
});
