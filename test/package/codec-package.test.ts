/**
 * `pldm-hostbridge/codec` as a user gets it: `npm pack` (after the build `pretest` runs),
 * the tarball installed into a fresh project, and the codec imported from plain Node ESM.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

let work = "";
let tarball = "";
let project = "";

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "hostbridge-pack-"));
  // --ignore-scripts: pack what the build made; prepack would rebuild under other tests' feet.
  const packed = await run(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: repo });
  tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  project = join(work, "consumer");
  await run("mkdir", [project]);
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", type: "module", private: true }));
  // --prefer-offline: the dependencies come from npm's cache (filled by `npm ci`), the registry only when missing.
  await run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], { cwd: project, timeout: 180_000 });
}, 240_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("holds the build and no test code", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    const entries = stdout.split("\n").filter(Boolean);
    expect(entries).toContain("package/dist/pldm-codec/index.js");
    expect(entries).toContain("package/dist/pldm-codec/index.d.ts");
    expect(entries).toContain("package/dist/src/cli/main.js");
    // The systemd unit runs the daemon's bundle from the installed package.
    expect(entries).toContain("package/dist/hostbridge-daemon.cjs");
    expect(entries).toContain("package/LICENSE");
    expect(entries.filter((e) => /(^|\/)test\/|\.test\.|tsbuildinfo/.test(e))).toEqual([]);
  });

  it("encodes and decodes through `pldm-hostbridge/codec` from plain Node ESM", async () => {
    const script = `
      import { encodeRequest, decodePldmMessage, GetTID, encodeResponse, pldmMessageToJson,
        fragmentMessage, encodeSerialFrame, SerialDeframer, MctpReassembler, MctpMessageType } from "pldm-hostbridge/codec";
      const request = encodeRequest(GetTID, {}, { instanceId: 5 });
      const response = decodePldmMessage(encodeResponse(GetTID, 5, { tid: 9 }));
      // The request over MCTP over serial and back.
      const message = new Uint8Array([MctpMessageType.Pldm, ...request]);
      const frames = fragmentMessage({ src: 8, dest: 9, tag: 1, tagOwner: true, message }).map((p) => encodeSerialFrame(p));
      const deframer = new SerialDeframer();
      const reassembler = new MctpReassembler();
      let carried = null;
      for (const f of frames) for (const e of deframer.push(f)) if (e.kind === "frame") carried = reassembler.push(e.packet, 0) ?? carried;
      console.log(JSON.stringify({
        request: [...request],
        response: pldmMessageToJson(response),
        carried: carried && pldmMessageToJson(decodePldmMessage(carried.message.subarray(1))),
      }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: project });
    const out = JSON.parse(stdout) as { request: number[]; response: Record<string, unknown>; carried: Record<string, unknown> };
    expect(out.request).toEqual([0x85, 0x00, 0x02]);
    expect(out.response).toMatchObject({ request: false, instanceId: 5, commandName: "GetTID", completionCode: 0, fields: { tid: 9 } });
    expect(out.carried).toMatchObject({ request: true, instanceId: 5, commandName: "GetTID" });
  });

  it("keeps the internals private", async () => {
    const script = `import("pldm-hostbridge/dist/pldm-codec/pldm/message.js").then(() => console.log("open"), (e) => console.log(e.code));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: project });
    expect(stdout.trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
