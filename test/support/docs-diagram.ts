/**
 * `npm run docs:diagram`: records one real SignCSR exchange and puts its sequence diagram, as
 * `hostbridge decode -o mermaid` draws it, into docs/diagrams/signcsr.mmd, README.md and
 * docs/daemon.md (between the signcsr-diagram markers). Nothing in the diagram is drawn by hand.
 *
 * It runs `hostbridge up` in a scratch state directory (recording link.pcapng), asks for one
 * certificate through the REST front as an HMC would, stops the stack, and decodes the trace.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { requestSignedCertificate } from "../../src/hmc/bmc-client.js";
import { CLI_PATH } from "../../src/os/cli-path.js";
import { pollUntil } from "../../src/os/poll.js";
import { createCsr, generateKeyPair } from "../../src/x509/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, here.includes("/dist/") ? "../../.." : "../..");
const START = "<!-- signcsr-diagram:start (npm run docs:diagram) -->";
const END = "<!-- signcsr-diagram:end -->";

/** The root push and the first SignCSR exchange: up to the answer to the certificate's write. */
function firstExchange(mermaid: string): string {
  const lines = mermaid.trimEnd().split("\n");
  const write = lines.findIndex((l) => /WriteFileByType SIGNED_CERT/.test(l));
  if (write < 0) throw new Error("the trace holds no certificate write");
  const answer = lines.findIndex((l, i) => i > write && /-->>.*WriteFileByType/.test(l));
  return lines.slice(0, (answer < 0 ? write : answer) + 1).join("\n");
}

function replaceBetweenMarkers(text: string, block: string): string {
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error("no signcsr-diagram markers");
  return `${text.slice(0, from + START.length)}\n${block}\n${text.slice(to)}`;
}

async function recordOneExchange(): Promise<string> {
  const stateDir = join(mkdtempSync(join(tmpdir(), "hb-diagram-")), "state");
  const up = spawn(process.execPath, [CLI_PATH, "up", "--state-dir", stateDir, "--rest-port", "0", "--vmi-tls-port", "0", "--key", "p256"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise((r) => up.once("exit", r));
  try {
    const info = await pollUntil(
      () => {
        try {
          return JSON.parse(readFileSync(join(stateDir, "up.json"), "utf8")) as {
            restUrl: string;
            restCaPath: string;
            username: string;
            password: string;
            rootCertPath: string;
            tracePath: string;
          };
        } catch {
          return undefined;
        }
      },
      60_000,
      "up.json",
    );
    await pollUntil(() => (readFileSync(info.rootCertPath, "utf8").includes("BEGIN CERTIFICATE") ? true : undefined), 30_000, "RootCert");
    const csr = await createCsr({ keys: await generateKeyPair("p256"), subject: "CN=hmc,O=HMC" });
    await requestSignedCertificate({ url: info.restUrl, username: info.username, password: info.password, caPem: readFileSync(info.restCaPath, "utf8") }, csr);
    return info.tracePath;
  } finally {
    up.kill("SIGTERM");
    await exited;
  }
}

const trace = await recordOneExchange();
const mermaid = firstExchange(execFileSync(process.execPath, [CLI_PATH, "decode", "-o", "mermaid", trace], { encoding: "utf8" }));
writeFileSync(join(repoRoot, "docs", "diagrams", "signcsr.mmd"), `${mermaid}\n`);
for (const doc of ["README.md", join("docs", "daemon.md")]) {
  const path = join(repoRoot, doc);
  writeFileSync(path, replaceBetweenMarkers(readFileSync(path, "utf8"), `\`\`\`mermaid\n${mermaid}\n\`\`\``));
}
process.stderr.write(`docs:diagram: ${mermaid.split("\n").length} lines from ${trace} into docs/diagrams/signcsr.mmd, README.md, docs/daemon.md\n`);
