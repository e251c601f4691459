import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateDissectorLua } from "../../src/trace/wireshark-dissector.js";
import { scratchDir } from "../support/openssl.js";
import { render } from "./samples.js";

const hasTshark = spawnSync("sh", ["-c", "command -v tshark"]).status === 0;
const script = join(import.meta.dirname, "..", "..", "contrib", "wireshark", "pldm-ibm-oem.lua");

describe("the checked-in dissector", () => {
  it("is what `npm run gen:dissector` generates from the codec (run it after changing a definition or name)", () => {
    expect(readFileSync(script, "utf8")).toBe(generateDissectorLua());
  });

  it("names what the hand-written one missed: every completion code the codec names, file type 0x18", () => {
    const lua = readFileSync(script, "utf8");
    expect(lua).toContain('[0x24] = "ERROR_INVALID_REQUESTED_SECTION_OFFSET"');
    expect(lua).toContain('[0x18] = "USER_PASSWORD_AUTHENTICATION"');
  });
});

describe.skipIf(!hasTshark)("Wireshark Lua dissector under tshark", () => {
  const file = join(scratchDir("hb-lua-"), "exchange.pcapng");
  writeFileSync(file, render.pcapng());
  const fields = (...names: string[]) =>
    execFileSync("tshark", ["-X", `lua_script:${script}`, "-r", file, "-T", "fields", "-E", "separator=|", ...names.flatMap((n) => ["-e", n])], {
      stdio: ["ignore", "pipe", "pipe"],
    })
      .toString()
      .trim()
      .split("\n");

  it("decodes the MCTP header of every packet, fragments included", () => {
    const rows = fields("hbmctp.src", "hbmctp.dest", "hbmctp.som", "hbmctp.eom", "hbmctp.seq");
    expect(rows).toHaveLength(10);
    expect(rows[0]).toBe("8|9|1|1|0");
    // The 150-byte WriteFileByType goes in three packets: SOM, middle, EOM.
    expect(rows.slice(6, 9)).toEqual(["9|8|1|0|0", "9|8|0|0|1", "9|8|0|1|2"]);
  });

  it("names PLDM commands and decodes IBM file I/O fields and completion codes", () => {
    const rows = fields(
      "hbpldm.cmd_name",
      "hbpldm.iid",
      "hbpldm.file_type",
      "hbpldm.file_handle",
      "hbpldm.length64",
      "hbpldm.offset",
      "hbpldm.length",
      "hbpldm.cc",
    );
    expect(rows[0]).toBe("NewFileAvailable|5|0x0004|7|1234|||");
    expect(rows[2]).toBe("ReadFileByType|3|0x0004|7||0|1234|");
    expect(rows[3]).toBe("ReadFileByType|3|||||2|0x00");
    expect(rows[4]).toBe("GetTID|0||||||");
    expect(fields("hbpldm.cmd_name", "hbpldm.cc_name")[1]).toBe("NewFileAvailable|SUCCESS");
  });

  it("shows the decoded tree in the verbose view", () => {
    const text = execFileSync("tshark", ["-X", `lua_script:${script}`, "-r", file, "-V", "-Y", "hbpldm.file_type == 4"], {
      stdio: ["ignore", "pipe", "pipe"],
    }).toString();
    expect(text).toContain("PLDM NewFileAvailable request");
    expect(text).toContain("File type: CERT_SIGNING_REQUEST (0x0004)");
    expect(text).toContain("Source EID: 8");
  });
});
