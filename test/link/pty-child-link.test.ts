import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawn as spawnCookedPty } from "node-pty";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { spawnPtyChild, type PtyChildLink } from "../../src/link/pty-child-link.js";
import { allByteValues, byteRounds, collect, writeInChunks } from "../support/link-bytes.js";

const ECHO_CHILD = fileURLToPath(new URL("../../dist/test/support/link-echo-child.js", import.meta.url));
const NODE = process.execPath;
// Bytes a cooked tty eats or rewrites: VINTR, VEOF, CR, XON, XOFF, VERASE, 0xff, NL, VLNEXT,
// VDISCARD, VQUIT, NUL.
const TTY_SPECIALS = Uint8Array.of(0x03, 0x04, 0x0d, 0x11, 0x13, 0x7f, 0xff, 0x0a, 0x16, 0x0f, 0x1c, 0x00);
const CHUNKINGS = [[1], [7, 1, 64], [256], [1000, 3], [4096]];

const isGone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
};

const open: PtyChildLink[] = [];
function spawnEcho(...flags: string[]): PtyChildLink {
  const link = spawnPtyChild({ file: NODE, args: [ECHO_CHILD, ...flags] });
  open.push(link);
  return link;
}

beforeAll(() => {
  if (!existsSync(ECHO_CHILD)) throw new Error(`${ECHO_CHILD} missing: run npx tsc -p tsconfig.build.json`);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((link) => link.close()));
});

describe("PtyChildLink", () => {
  it("the child's tty is raw before its first write: all 256 values arrive unchanged", async () => {
    const link = spawnEcho("--greet-first");
    expect(link.ptsPath).toMatch(/^\/dev\/pts\/\d+$/);
    expect(link.description).toContain(`pid ${link.pid}`);
    expect(await collect(link, 256)).toEqual(allByteValues());
  });

  it("echoes every byte value, many rounds, in every chunking, written right after spawn", async () => {
    const link = spawnEcho();
    for (const sizes of CHUNKINGS) {
      const sent = byteRounds(16);
      const back = collect(link, sent.length);
      writeInChunks(link, sent, sizes);
      expect(await back, `chunk sizes ${sizes.join(",")}`).toEqual(sent);
    }
  });

  it("passes runs of the bytes a cooked tty would eat", async () => {
    const link = spawnEcho();
    const sent = new Uint8Array(TTY_SPECIALS.length * 200);
    for (let i = 0; i < sent.length; i++) sent[i] = TTY_SPECIALS[i % TTY_SPECIALS.length]!;
    const back = collect(link, sent.length);
    link.write(sent);
    expect(await back).toEqual(sent);
  });

  it("close() ends the child; later writes are dropped, not thrown", async () => {
    const link = spawnEcho();
    const reasons: string[] = [];
    const exits: unknown[] = [];
    link.on("close", (reason) => reasons.push(reason));
    link.on("exit", (code, signal) => exits.push([code, signal]));
    const back = collect(link, 3);
    link.write(Uint8Array.of(1, 2, 3));
    await back;

    await link.close();
    expect(isGone(link.pid)).toBe(true);
    expect(link.isOpen).toBe(false);
    expect(link.exitStatus).toEqual({ code: null, signal: "SIGTERM" });
    expect(exits).toEqual([[null, "SIGTERM"]]);
    expect(reasons).toEqual(["child killed by SIGTERM"]);
    expect(() => link.write(new Uint8Array(10))).not.toThrow();
    expect(link.droppedBytes).toBe(10);
  });

  it("close() escalates to SIGKILL when the child ignores SIGTERM", async () => {
    const script = "process.on('SIGTERM', () => {}); process.stdout.write('up'); setInterval(() => {}, 1000);";
    const link = spawnPtyChild({ file: NODE, args: ["-e", script], killAfterMs: 300 });
    open.push(link);
    await collect(link, 2); // the handler is installed once it has spoken
    const started = Date.now();
    await link.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(link.exitStatus?.signal).toBe("SIGKILL");
    expect(isGone(link.pid)).toBe(true);
  });

  it("a child that exits on its own reports its code and closes the link", async () => {
    const link = spawnPtyChild({ file: NODE, args: ["-e", "process.exit(3)"] });
    open.push(link);
    const closed = new Promise<string>((resolve) => link.on("close", resolve));
    expect(await closed).toBe("child exited with code 3");
    expect(link.exitStatus).toEqual({ code: 3, signal: null });
    expect(() => link.write(Uint8Array.of(1))).not.toThrow();
  });

  it("reports a wrapper that cannot make the tty raw as a typed error, not a hang", async () => {
    // No stty on PATH: the wrapper's stty fails while the tty is still cooked.
    const link = spawnPtyChild({ file: NODE, args: [ECHO_CHILD], env: { PATH: "/nonexistent" }, name: "echo" });
    open.push(link);
    expect(link.description).toBe(`pty child echo pid ${link.pid}`);
    const failure = new Promise<Error>((resolve) => link.on("error", resolve));
    const closed = new Promise<string>((resolve) => link.on("close", resolve));
    link.write(Uint8Array.of(1, 2, 3)); // held for a tty that never becomes raw
    expect(await failure).toMatchObject({ name: "PtyChildError", reason: "not-ready" });
    expect((await failure).message).toContain("stty");
    expect(await closed).toBe("child exited with code 126");
    expect(link.droppedBytes).toBe(3);
  });

  it("openStdioLink alone makes a cooked pty raw (child on plain node-pty, no wrapper)", async () => {
    // Plain node-pty: a cooked tty. The child's own openStdioLink must fix it before it speaks.
    const pty = spawnCookedPty(NODE, [ECHO_CHILD, "--greet-after-open"], { encoding: null });
    const got: Buffer[] = [];
    let total = 0;
    const exited = new Promise<void>((resolve) => pty.onExit(() => resolve()));
    const greeted = new Promise<void>((resolve) =>
      pty.onData((data) => {
        const chunk = data as unknown as Buffer;
        got.push(chunk);
        total += chunk.length;
        if (total >= 256) resolve();
      }),
    );
    await greeted;
    pty.kill("SIGTERM");
    await exited;
    expect(new Uint8Array(Buffer.concat(got))).toEqual(allByteValues());
  });
});
