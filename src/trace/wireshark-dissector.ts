/**
 * Writes contrib/wireshark/pldm-ibm-oem.lua from the codec itself: type, command, completion
 * code and file type names from its tables, and each command's fields from its definition,
 * so the dissector cannot drift from the decoder (a test compares the checked-in file).
 *   npm run gen:dissector
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { CommandDef } from "../../pldm-codec/wire/command.js";
import { completionCodeName, IBM_FILE_TYPE_NAMES, PLDM_TYPE_NAMES, PldmType } from "../../pldm-codec/pldm/names.js";
import { commandName, defaultRegistry } from "../../pldm-codec/pldm/registry.js";
import type { Field } from "../../pldm-codec/wire/fields.js";
import type { Struct } from "../../pldm-codec/wire/struct.js";

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const label = (name: string) => {
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};
const hex2 = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;
const luaTable = (entries: [number, string][], perLine = 4) => {
  const items = entries.map(([k, v]) => `[${hex2(k)}] = "${v}"`);
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(`  ${items.slice(i, i + perLine).join(", ")},`);
  return `{\n${lines.join("\n")}\n}`;
};

interface LuaField {
  abbrev: string;
  declaration: string;
  /** Bytes it takes, -1 for the rest of the payload; how it is added to the tree. */
  size: number;
  add: "add" | "add_le";
}

/** The Wireshark field for a codec field: integers little-endian (PLDM's order), u64big big-endian, the rest as bytes. */
function luaFieldFor(name: string, f: Field<unknown>, abbrev: string): LuaField {
  const id = `"hbpldm.${abbrev}", "${label(name)}"`;
  const integer: Record<number, string> = { 1: "uint8", 2: "uint16", 4: "uint32", 8: "uint64" };
  const intKinds = ["u8", "u16", "u32", "u64", "u64big", "u8enum", "ver32"];
  if (intKinds.includes(f.kind) && integer[f.size]) {
    const display = name === "fileType" ? "base.HEX, file_types" : f.kind === "ver32" ? "base.HEX" : "base.DEC";
    return { abbrev, declaration: `ProtoField.${integer[f.size]}(${id}, ${display})`, size: f.size, add: f.kind === "u64big" ? "add" : "add_le" };
  }
  return { abbrev, declaration: `ProtoField.bytes(${id})`, size: f.size, add: "add" };
}

/** One abbreviation per field name; a name used at two sizes (length: u32 and u64) gets the bit width on the larger. */
function fieldTable(defs: readonly CommandDef[]): Map<string, LuaField> {
  const structs = defs.flatMap((d) => [d.request, d.response, d.errorResponse].filter((s): s is Struct<Record<string, unknown>> => s !== null));
  const sizes = new Map<string, Set<number>>();
  for (const s of structs) for (const [name, f] of s.fields) sizes.set(name, (sizes.get(name) ?? new Set()).add(f.size));
  const table = new Map<string, LuaField>();
  for (const s of structs) {
    for (const [name, f] of s.fields) {
      const key = `${name}/${f.size}`;
      if (table.has(key)) continue;
      const all = [...sizes.get(name)!];
      const suffix = all.length > 1 && f.size > Math.min(...all.filter((x) => x > 0)) ? String(f.size * 8) : "";
      table.set(key, luaFieldFor(name, f, `${snake(name)}${suffix}`));
    }
  }
  return table;
}

function layout(s: Struct<Record<string, unknown>> | null, table: Map<string, LuaField>): string {
  if (!s || s.fields.length === 0) return "{}";
  return `{ ${s.fields
    .map(([name, f]) => {
      const lf = table.get(`${name}/${f.size}`)!;
      return `{ p.${lf.abbrev}, ${lf.size}, ${lf.add === "add_le"} }`;
    })
    .join(", ")} }`;
}

export function generateDissectorLua(): string {
  const defs = defaultRegistry.all().sort((a, b) => a.type - b.type || a.command - b.command);
  const table = fieldTable(defs);
  const types = Object.entries(PLDM_TYPE_NAMES).map(([k, v]) => [Number(k), Number(k) === PldmType.Oem ? "oem" : v] as [number, string]);
  const commands = types
    .map(([t]) => {
      const named: [number, string][] = [];
      for (let c = 0; c < 256; c++) {
        const n = commandName(t, c);
        if (n) named.push([c, n]);
      }
      return named.length ? `command_names[${hex2(t)}] = ${luaTable(named, 3)}` : "";
    })
    .filter(Boolean);
  const codes = (type: number, from: number, to: number) => {
    const out: [number, string][] = [];
    for (let c = from; c < to; c++) {
      const n = completionCodeName(c, type);
      if (n) out.push([c, n]);
    }
    return out;
  };
  const layouts = defs.map(
    (d) =>
      `layouts[${hex2(d.type)} * 256 + ${hex2(d.command)}] = { request = ${layout(d.request, table)}, response = ${layout(d.response, table)}, error = ${layout(d.errorResponse, table)} } -- ${d.name}`,
  );
  const fields = [...table.values()].map((f) => `p.${f.abbrev} = ${f.declaration}`);
  return TEMPLATE.replace("@TYPES@", () => luaTable(types))
    .replace("@COMMANDS@", () => commands.join("\n"))
    .replace("@CCS@", () => luaTable(codes(PldmType.Base, 0, 0x80)))
    .replace("@OEM_CCS@", () => luaTable(codes(PldmType.Oem, 0x80, 0x100)))
    .replace("@FILE_TYPES@", () =>
      luaTable(
        Object.entries(IBM_FILE_TYPE_NAMES).map(([k, v]) => [Number(k), v]),
        3,
      ),
    )
    .replace("@FIELDS@", () => fields.join("\n"))
    .replace("@LAYOUTS@", () => layouts.join("\n"));
}

const TEMPLATE = template();

function template(): string {
  return [
    "-- GENERATED by `npm run gen:dissector` (src/trace/wireshark-dissector.ts) from pldm-codec's",
    "-- command definitions and name tables: do not edit by hand.",
    "--",
    "-- Wireshark dissector for MCTP packets in Linux cooked captures (SLL/SLL2 protocol 0x00FA),",
    "-- the PLDM header (DSP0240) and the fields of every command the codec defines, IBM OEM file",
    "-- I/O (type 0x3F, read as IBM's) included. Wireshark 4.0 has no MCTP or PLDM dissector and no",
    "-- version decodes the IBM commands. Only the first packet of a message (SOM) carries the PLDM",
    "-- header; later fragments are shown as such.",
    "--   wireshark -X lua_script:contrib/wireshark/pldm-ibm-oem.lua capture.pcapng",
    "--   tshark -X lua_script:contrib/wireshark/pldm-ibm-oem.lua -r capture.pcapng -V",
    "",
    'local mctp = Proto("hbmctp", "MCTP (pldm-hostbridge)")',
    'local pldm = Proto("hbpldm", "PLDM (pldm-hostbridge)")',
    "",
    'local msg_types = { [0] = "Control", [1] = "PLDM" }',
    "local pldm_types = @TYPES@",
    "local command_names = {}",
    "@COMMANDS@",
    "-- Completion codes below 0x80 are generic; from 0x80 they belong to the command's type.",
    "local ccs = @CCS@",
    "local oem_ccs = @OEM_CCS@",
    "local file_types = @FILE_TYPES@",
    "",
    "local f = mctp.fields",
    'f.version = ProtoField.uint8("hbmctp.version", "Header version", base.DEC, nil, 0x0f)',
    'f.dest = ProtoField.uint8("hbmctp.dest", "Destination EID")',
    'f.src = ProtoField.uint8("hbmctp.src", "Source EID")',
    'f.som = ProtoField.bool("hbmctp.som", "Start of message", 8, nil, 0x80)',
    'f.eom = ProtoField.bool("hbmctp.eom", "End of message", 8, nil, 0x40)',
    'f.seq = ProtoField.uint8("hbmctp.seq", "Packet sequence", base.DEC, nil, 0x30)',
    'f.to = ProtoField.bool("hbmctp.to", "Tag owner", 8, nil, 0x08)',
    'f.tag = ProtoField.uint8("hbmctp.tag", "Message tag", base.DEC, nil, 0x07)',
    'f.ic = ProtoField.bool("hbmctp.ic", "Integrity check", 8, nil, 0x80)',
    'f.msg_type = ProtoField.uint8("hbmctp.msg_type", "Message type", base.HEX, msg_types, 0x7f)',
    'f.fragment = ProtoField.bytes("hbmctp.fragment", "Message fragment")',
    "",
    "local p = pldm.fields",
    'p.rq = ProtoField.bool("hbpldm.rq", "Request", 8, nil, 0x80)',
    'p.d = ProtoField.bool("hbpldm.d", "Datagram", 8, nil, 0x40)',
    'p.iid = ProtoField.uint8("hbpldm.iid", "Instance ID", base.DEC, nil, 0x1f)',
    'p.hdr_ver = ProtoField.uint8("hbpldm.hdr_ver", "Header version", base.DEC, nil, 0xc0)',
    'p.type = ProtoField.uint8("hbpldm.type", "PLDM type", base.HEX, pldm_types, 0x3f)',
    'p.cmd = ProtoField.uint8("hbpldm.cmd", "Command", base.HEX)',
    'p.cmd_name = ProtoField.string("hbpldm.cmd_name", "Command name")',
    'p.cc = ProtoField.uint8("hbpldm.cc", "Completion code", base.HEX)',
    'p.cc_name = ProtoField.string("hbpldm.cc_name", "Completion code name")',
    'p.payload = ProtoField.bytes("hbpldm.payload", "Payload")',
    "-- Command fields, one per name (and size) in the codec's definitions.",
    "@FIELDS@",
    "",
    "-- Each command's payload: { field, size (-1: the rest), little-endian } in order.",
    "local layouts = {}",
    "@LAYOUTS@",
    "",
    "local function add_fields(buf, tree, layout)",
    "  local at, n = 0, buf:len()",
    "  for _, fl in ipairs(layout) do",
    "    local field, size, le = fl[1], fl[2], fl[3]",
    "    if size < 0 then size = n - at end",
    "    if size <= 0 or at + size > n then break end",
    "    if le then tree:add_le(field, buf(at, size)) else tree:add(field, buf(at, size)) end",
    "    at = at + size",
    "  end",
    "  if at < n and #layout > 0 then tree:add(p.payload, buf(at)) end",
    "end",
    "",
    "function pldm.dissector(buf, pinfo, root)",
    "  if buf:len() < 3 then return 0 end",
    '  pinfo.cols.protocol = "PLDM"',
    "  local b0, b1, cmd = buf(0, 1):uint(), buf(1, 1):uint(), buf(2, 1):uint()",
    "  local request, ptype = bit.band(b0, 0x80) ~= 0, bit.band(b1, 0x3f)",
    '  local name = (command_names[ptype] or {})[cmd] or string.format("0x%02x", cmd)',
    '  local tree = root:add(pldm, buf(), "PLDM " .. name .. (request and " request" or " response"))',
    "  tree:add(p.rq, buf(0, 1)); tree:add(p.d, buf(0, 1)); tree:add(p.iid, buf(0, 1))",
    "  tree:add(p.hdr_ver, buf(1, 1)); tree:add(p.type, buf(1, 1)); tree:add(p.cmd, buf(2, 1))",
    "  tree:add(p.cmd_name, name)",
    '  local info = string.format("%s %s iid %d", name, request and "req" or "rsp", bit.band(b0, 0x1f))',
    '  local at, which = 3, "request"',
    "  if not request and buf:len() >= 4 then",
    "    local cc = buf(3, 1):uint()",
    '    local cc_name = cc < 0x80 and ccs[cc] or (ptype == 0x3f and oem_ccs[cc]) or string.format("cc 0x%02x", cc)',
    "    tree:add(p.cc, buf(3, 1)); tree:add(p.cc_name, cc_name)",
    '    info = info .. " " .. cc_name; at = 4; which = cc == 0 and "response" or "error"',
    "  end",
    "  local layout = layouts[ptype * 256 + cmd]",
    "  if buf:len() > at then",
    "    if layout and layout[which] then add_fields(buf(at):tvb(), tree, layout[which]) else tree:add(p.payload, buf(at)) end",
    "  end",
    "  pinfo.cols.info = info",
    "  return buf:len()",
    "end",
    "",
    "function mctp.dissector(buf, pinfo, root)",
    "  if buf:len() < 4 then return 0 end",
    '  pinfo.cols.protocol = "MCTP"',
    "  local flags = buf(3, 1):uint()",
    '  local tree = root:add(mctp, buf(0, 4), "MCTP")',
    "  tree:add(f.version, buf(0, 1)); tree:add(f.dest, buf(1, 1)); tree:add(f.src, buf(2, 1))",
    "  tree:add(f.som, buf(3, 1)); tree:add(f.eom, buf(3, 1)); tree:add(f.seq, buf(3, 1))",
    "  tree:add(f.to, buf(3, 1)); tree:add(f.tag, buf(3, 1))",
    '  pinfo.cols.info = string.format("MCTP %d -> %d tag %d", buf(2, 1):uint(), buf(1, 1):uint(), bit.band(flags, 7))',
    "  if buf:len() == 4 then return 4 end",
    "  if bit.band(flags, 0x80) == 0 then",
    '    tree:add(f.fragment, buf(4)); pinfo.cols.info = tostring(pinfo.cols.info) .. " (fragment)"',
    "    return buf:len()",
    "  end",
    "  tree:add(f.ic, buf(4, 1)); tree:add(f.msg_type, buf(4, 1))",
    "  if bit.band(buf(4, 1):uint(), 0x7f) == 1 and buf:len() > 5 then pldm.dissector:call(buf(5):tvb(), pinfo, root) end",
    "  return buf:len()",
    "end",
    "",
    'DissectorTable.get("sll.ltype"):add(0x00fa, mctp)',
    "",
  ].join("\n");
}

// `node dist/src/trace/wireshark-dissector.js FILE` writes the dissector.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2] ?? "contrib/wireshark/pldm-ibm-oem.lua";
  writeFileSync(out, generateDissectorLua());
  process.stdout.write(`wrote ${out}\n`);
}
