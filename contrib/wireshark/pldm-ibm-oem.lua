-- Wireshark dissector for MCTP packets in Linux cooked captures (SLL/SLL2 protocol 0x00FA),
-- the PLDM header (DSP0240) and IBM OEM file I/O (PLDM type 0x3F), as pldm-hostbridge and
-- mctp-demux-daemon captures carry them. Wireshark 4.0 has no MCTP or PLDM dissector and no
-- version decodes the IBM commands. Only the first packet of a message (SOM) carries the
-- PLDM header; later fragments are shown as such.
--   wireshark -X lua_script:contrib/wireshark/pldm-ibm-oem.lua capture.pcapng
--   tshark -X lua_script:contrib/wireshark/pldm-ibm-oem.lua -r capture.pcapng -V

local mctp = Proto("hbmctp", "MCTP (pldm-hostbridge)")
local pldm = Proto("hbpldm", "PLDM (pldm-hostbridge)")

local msg_types = { [0] = "Control", [1] = "PLDM" }
local pldm_types = { [0] = "base", [1] = "smbios", [2] = "platform", [3] = "bios", [4] = "fru",
  [5] = "firmware-update", [6] = "rde", [7] = "file", [0x3f] = "oem-ibm" }
local base_cmds = { [1] = "SetTID", [2] = "GetTID", [3] = "GetPLDMVersion", [4] = "GetPLDMTypes", [5] = "GetPLDMCommands" }
local platform_cmds = { [0x04] = "SetEventReceiver", [0x0a] = "PlatformEventMessage", [0x11] = "GetSensorReading",
  [0x21] = "GetStateSensorReadings", [0x39] = "SetStateEffecterStates", [0x51] = "GetPDR" }
local ibm_cmds = { [0x01] = "GetFileTable", [0x04] = "ReadFile", [0x05] = "WriteFile", [0x06] = "ReadFileIntoMemory",
  [0x07] = "WriteFileFromMemory", [0x08] = "ReadFileByTypeIntoMemory", [0x09] = "WriteFileByTypeFromMemory",
  [0x0a] = "NewFileAvailable", [0x0b] = "ReadFileByType", [0x0c] = "WriteFileByType", [0x0d] = "FileAck",
  [0x0e] = "NewFileAvailableWithMetaData", [0x0f] = "FileAckWithMetaData", [0xf0] = "GetAlertStatus" }
local file_types = { [0] = "PEL", [1] = "LID_PERM", [2] = "LID_TEMP", [3] = "DUMP", [4] = "CERT_SIGNING_REQUEST",
  [5] = "SIGNED_CERT", [6] = "ROOT_CERT", [7] = "LID_MARKER", [8] = "RESOURCE_DUMP_PARMS", [9] = "RESOURCE_DUMP",
  [0x0a] = "PROGRESS_SRC" }
local ccs = { [0] = "SUCCESS", [1] = "ERROR", [2] = "ERROR_INVALID_DATA", [3] = "ERROR_INVALID_LENGTH",
  [4] = "ERROR_NOT_READY", [5] = "ERROR_UNSUPPORTED_PLDM_CMD", [0x20] = "ERROR_INVALID_PLDM_TYPE",
  [0x83] = "FILE_TABLE_UNAVAILABLE", [0x85] = "INVALID_FILE_TABLE_TYPE", [0x86] = "INVALID_FILE_HANDLE",
  [0x87] = "DATA_OUT_OF_RANGE", [0x89] = "INVALID_FILE_TYPE", [0x8a] = "ERROR_FILE_DISCARDED",
  [0x8b] = "FULL_FILE_DISCARDED" }

local f = mctp.fields
f.version = ProtoField.uint8("hbmctp.version", "Header version", base.DEC, nil, 0x0f)
f.dest = ProtoField.uint8("hbmctp.dest", "Destination EID")
f.src = ProtoField.uint8("hbmctp.src", "Source EID")
f.som = ProtoField.bool("hbmctp.som", "Start of message", 8, nil, 0x80)
f.eom = ProtoField.bool("hbmctp.eom", "End of message", 8, nil, 0x40)
f.seq = ProtoField.uint8("hbmctp.seq", "Packet sequence", base.DEC, nil, 0x30)
f.to = ProtoField.bool("hbmctp.to", "Tag owner", 8, nil, 0x08)
f.tag = ProtoField.uint8("hbmctp.tag", "Message tag", base.DEC, nil, 0x07)
f.ic = ProtoField.bool("hbmctp.ic", "Integrity check", 8, nil, 0x80)
f.msg_type = ProtoField.uint8("hbmctp.msg_type", "Message type", base.HEX, msg_types, 0x7f)
f.fragment = ProtoField.bytes("hbmctp.fragment", "Message fragment")

local p = pldm.fields
p.rq = ProtoField.bool("hbpldm.rq", "Request", 8, nil, 0x80)
p.d = ProtoField.bool("hbpldm.d", "Datagram", 8, nil, 0x40)
p.iid = ProtoField.uint8("hbpldm.iid", "Instance ID", base.DEC, nil, 0x1f)
p.hdr_ver = ProtoField.uint8("hbpldm.hdr_ver", "Header version", base.DEC, nil, 0xc0)
p.type = ProtoField.uint8("hbpldm.type", "PLDM type", base.HEX, pldm_types, 0x3f)
p.cmd = ProtoField.uint8("hbpldm.cmd", "Command", base.HEX)
p.cmd_name = ProtoField.string("hbpldm.cmd_name", "Command name")
p.cc = ProtoField.uint8("hbpldm.cc", "Completion code", base.HEX, ccs)
p.file_type = ProtoField.uint16("hbpldm.file_type", "File type", base.HEX, file_types)
p.file_handle = ProtoField.uint32("hbpldm.file_handle", "File handle")
p.offset = ProtoField.uint32("hbpldm.offset", "Offset")
p.length = ProtoField.uint32("hbpldm.length", "Length")
p.length64 = ProtoField.uint64("hbpldm.length64", "Length")
p.file_status = ProtoField.uint8("hbpldm.file_status", "File status")
p.metadata = ProtoField.uint32("hbpldm.metadata", "Metadata")
p.data = ProtoField.bytes("hbpldm.data", "Data")
p.payload = ProtoField.bytes("hbpldm.payload", "Payload")

local function command_name(t, c)
  if t == 0 then return base_cmds[c] elseif t == 2 then return platform_cmds[c] elseif t == 0x3f then return ibm_cmds[c] end
  return nil
end

-- IBM file I/O payloads (little-endian), after the header and, on responses, the completion code.
local function ibm_fields(buf, tree, cmd, request, ok)
  local n = buf:len()
  local function by_type(at) -- fileType u16, fileHandle u32
    tree:add_le(p.file_type, buf(at, 2)); tree:add_le(p.file_handle, buf(at + 2, 4)); return at + 6
  end
  if request then
    if (cmd == 0x0a or cmd == 0x0e) and n >= 14 then
      local at = by_type(0); tree:add_le(p.length64, buf(at, 8))
      if cmd == 0x0e then for i = 0, 3 do if n >= 18 + 4 * i then tree:add_le(p.metadata, buf(14 + 4 * i, 4)) end end end
    elseif (cmd == 0x0b or cmd == 0x0c) and n >= 14 then
      local at = by_type(0); tree:add_le(p.offset, buf(at, 4)); tree:add_le(p.length, buf(at + 4, 4))
      if cmd == 0x0c and n > 14 then tree:add(p.data, buf(14)) end
    elseif (cmd == 0x0d or cmd == 0x0f) and n >= 7 then
      by_type(0); tree:add(p.file_status, buf(6, 1))
      if cmd == 0x0f then for i = 0, 3 do if n >= 11 + 4 * i then tree:add_le(p.metadata, buf(7 + 4 * i, 4)) end end end
    elseif n > 0 then tree:add(p.payload, buf())
    end
  elseif (cmd == 0x0b or cmd == 0x0c or cmd == 0x04 or cmd == 0x05) and n >= 4 then
    tree:add_le(p.length, buf(0, 4))
    if ok and n > 4 then tree:add(p.data, buf(4)) end
  elseif n > 0 then tree:add(p.payload, buf())
  end
end

function pldm.dissector(buf, pinfo, root)
  if buf:len() < 3 then return 0 end
  pinfo.cols.protocol = "PLDM"
  local b0, b1, cmd = buf(0, 1):uint(), buf(1, 1):uint(), buf(2, 1):uint()
  local request, ptype = bit.band(b0, 0x80) ~= 0, bit.band(b1, 0x3f)
  local name = command_name(ptype, cmd) or string.format("0x%02x", cmd)
  local tree = root:add(pldm, buf(), "PLDM " .. name .. (request and " request" or " response"))
  tree:add(p.rq, buf(0, 1)); tree:add(p.d, buf(0, 1)); tree:add(p.iid, buf(0, 1))
  tree:add(p.hdr_ver, buf(1, 1)); tree:add(p.type, buf(1, 1)); tree:add(p.cmd, buf(2, 1))
  tree:add(p.cmd_name, name)
  local info = string.format("%s %s iid %d", name, request and "req" or "rsp", bit.band(b0, 0x1f))
  local at, ok = 3, true
  if not request and buf:len() >= 4 then
    local cc = buf(3, 1):uint(); tree:add(p.cc, buf(3, 1)); ok = cc == 0
    info = info .. " " .. (ccs[cc] or string.format("cc 0x%02x", cc)); at = 4
  end
  if buf:len() > at then
    if ptype == 0x3f then ibm_fields(buf(at):tvb(), tree, cmd, request, ok) else tree:add(p.payload, buf(at)) end
  end
  pinfo.cols.info = info
  return buf:len()
end

function mctp.dissector(buf, pinfo, root)
  if buf:len() < 4 then return 0 end
  pinfo.cols.protocol = "MCTP"
  local flags = buf(3, 1):uint()
  local tree = root:add(mctp, buf(0, 4), "MCTP")
  tree:add(f.version, buf(0, 1)); tree:add(f.dest, buf(1, 1)); tree:add(f.src, buf(2, 1))
  tree:add(f.som, buf(3, 1)); tree:add(f.eom, buf(3, 1)); tree:add(f.seq, buf(3, 1))
  tree:add(f.to, buf(3, 1)); tree:add(f.tag, buf(3, 1))
  pinfo.cols.info = string.format("MCTP %d -> %d tag %d", buf(2, 1):uint(), buf(1, 1):uint(), bit.band(flags, 7))
  if buf:len() == 4 then return 4 end
  if bit.band(flags, 0x80) == 0 then
    tree:add(f.fragment, buf(4)); pinfo.cols.info = tostring(pinfo.cols.info) .. " (fragment)"
    return buf:len()
  end
  tree:add(f.ic, buf(4, 1)); tree:add(f.msg_type, buf(4, 1))
  if bit.band(buf(4, 1):uint(), 0x7f) == 1 and buf:len() > 5 then pldm.dissector:call(buf(5):tvb(), pinfo, root) end
  return buf:len()
end

DissectorTable.get("sll.ltype"):add(0x00fa, mctp)
