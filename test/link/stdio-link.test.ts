import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { StreamLink, destroyStream } from "../../src/link/stream-link.js";
import { allByteValues, byteRounds, collect, writeInChunks } from "../support/link-bytes.js";

const ECHO_CHILD = fileURLToPath(new URL("../../dist/test/support/link-echo-child.js", import.meta.url));

/** The echo child on plain pipes, and our end of them as a link. */
interface EchoOnPipes {
  child: ChildProcess;
  link: StreamLink;
  exited: Promise<number | null>;
}

function spawnEchoOnPipes(...flags: string[]): EchoOnPipes {
  const child = spawn(process.execPath, [ECHO_CHILD, ...flags], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const { stdin, stdout } = child as ChildProcess & { stdin: Writable; stdout: Readable };
  const link = new StreamLink(`pipes to pid ${child.pid}`, stdout, stdin, () => destroyStream(stdin));
  return { child, link, exited };
}

beforeAll(() => {
  if (!existsSync(ECHO_CHILD)) throw new Error(`${ECHO_CHILD} missing: run npx tsc -p tsconfig.build.json`);
});

describe("openStdioLink on pipes", () => {
  it("sends all 256 values from the start and echoes many rounds in several chunkings", async () => {
    const { link, exited } = spawnEchoOnPipes("--greet-after-open");
    expect(await collect(link, 256)).toEqual(allByteValues());
    for (const sizes of [[1], [5, 300], [4096]]) {
      const sent = byteRounds(16);
      const back = collect(link, sent.length);
      writeInChunks(link, sent, sizes);
      expect(await back).toEqual(sent);
    }
    await link.close();
    expect(await exited).toBe(0); // end of stdin closed the child's link and it left normally
  });

  it("the parent's link closes when the child goes away", async () => {
    const { child, link, exited } = spawnEchoOnPipes();
    const closed = new Promise<string>((resolve) => link.on("close", resolve));
    child.kill("SIGTERM");
    await exited;
    expect(await closed).toBe("end of input");
    expect(() => link.write(Uint8Array.of(1, 2))).not.toThrow();
    expect(link.droppedBytes).toBe(2);
    await link.close();
  });
});
