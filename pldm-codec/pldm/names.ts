/**
 * Names for PLDM types, completion codes, IBM file types, and the commands that have
 * no codec here (named so traces read well). Commands with a definition take their
 * name from it: see `commandName` in registry.ts.
 */
export const PldmType = {
  Base: 0x00,
  Smbios: 0x01,
  Platform: 0x02,
  Bios: 0x03,
  Fru: 0x04,
  FirmwareUpdate: 0x05,
  Rde: 0x06,
  File: 0x07,
  Oem: 0x3f,
} as const;

export const PLDM_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x00: "base",
  0x01: "smbios",
  0x02: "platform",
  0x03: "bios",
  0x04: "fru",
  0x05: "firmware-update",
  0x06: "rde",
  0x07: "file",
  0x3f: "oem-ibm",
};

export const CompletionCode = {
  Success: 0x00,
  Error: 0x01,
  InvalidData: 0x02,
  InvalidLength: 0x03,
  NotReady: 0x04,
  UnsupportedCommand: 0x05,
  InvalidType: 0x20,
  InvalidTransferContext: 0x21,
  InvalidDataTransferHandle: 0x22,
  UnexpectedTransferFlagOperation: 0x23,
  InvalidRequestedSectionOffset: 0x24,
  // IBM OEM file I/O
  FileTableUnavailable: 0x83,
  InvalidFileTableType: 0x85,
  InvalidFileHandle: 0x86,
  DataOutOfRange: 0x87,
  InvalidFileType: 0x89,
  ErrorFileDiscarded: 0x8a,
  FullFileDiscarded: 0x8b,
} as const;

const BASE_CC_NAMES: Readonly<Record<number, string>> = {
  0x00: "SUCCESS",
  0x01: "ERROR",
  0x02: "ERROR_INVALID_DATA",
  0x03: "ERROR_INVALID_LENGTH",
  0x04: "ERROR_NOT_READY",
  0x05: "ERROR_UNSUPPORTED_PLDM_CMD",
  0x20: "ERROR_INVALID_PLDM_TYPE",
  0x21: "ERROR_INVALID_TRANSFER_CONTEXT",
  0x22: "ERROR_INVALID_DATA_TRANSFER_HANDLE",
  0x23: "ERROR_UNEXPECTED_TRANSFER_FLAG_OPERATION",
  0x24: "ERROR_INVALID_REQUESTED_SECTION_OFFSET",
};

const IBM_FILE_IO_CC_NAMES: Readonly<Record<number, string>> = {
  0x83: "FILE_TABLE_UNAVAILABLE",
  0x85: "INVALID_FILE_TABLE_TYPE",
  0x86: "INVALID_FILE_HANDLE",
  0x87: "DATA_OUT_OF_RANGE",
  0x89: "INVALID_FILE_TYPE",
  0x8a: "ERROR_FILE_DISCARDED",
  0x8b: "FULL_FILE_DISCARDED",
};

/** Command-specific codes (0x80..) are named only for the type that defines them. */
export function completionCodeName(code: number, type: number): string | null {
  if (code < 0x80) return BASE_CC_NAMES[code] ?? null;
  if (type === PldmType.Oem) return IBM_FILE_IO_CC_NAMES[code] ?? null;
  return null;
}

export const IbmFileType = {
  Pel: 0x00,
  LidPerm: 0x01,
  LidTemp: 0x02,
  Dump: 0x03,
  CertSigningRequest: 0x04,
  SignedCert: 0x05,
  RootCert: 0x06,
  LidMarker: 0x07,
  ResourceDumpParms: 0x08,
  ResourceDump: 0x09,
  ProgressSrc: 0x0a,
} as const;

export const IBM_FILE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x00: "PEL",
  0x01: "LID_PERM",
  0x02: "LID_TEMP",
  0x03: "DUMP",
  0x04: "CERT_SIGNING_REQUEST",
  0x05: "SIGNED_CERT",
  0x06: "ROOT_CERT",
  0x07: "LID_MARKER",
  0x08: "RESOURCE_DUMP_PARMS",
  0x09: "RESOURCE_DUMP",
  0x0a: "PROGRESS_SRC",
  0x0b: "ADJUNCT_DUMP",
  0x0c: "DEVICE_DUMP",
  0x0d: "COD_LICENSE_KEY",
  0x0e: "COD_LICENSED_RESOURCES",
  0x0f: "BMC_DUMP",
  0x10: "SBE_DUMP",
  0x11: "HOSTBOOT_DUMP",
  0x12: "HARDWARE_DUMP",
  0x13: "LID_RUNNING",
  0x14: "PCIE_TOPOLOGY",
  0x15: "CABLE_INFO",
  0x16: "PSPD_VPD_PDD_KEYWORD",
  0x17: "CHAP_DATA",
  0x18: "USER_PASSWORD_AUTHENTICATION",
  0x19: "USER_PASSWORD_CHANGE",
};

/** IBM FileAck / FileAckWithMetaData file status values. */
export const FileStatus = { Success: 0x00, Error: 0x01, BadCsr: 0x02 } as const;

/** metadata1 of a signed certificate's NewFileAvailableWithMetaData (pldmd's PLDM_INVALID_CERT_DATA = 3). */
export const CertVerdict = { Signed: 0, InvalidCertData: 3 } as const;

/** Commands named for traces but not decoded field by field. */
export const NAMED_ONLY_COMMANDS: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [PldmType.Base]: {
    0x06: "SelectPLDMVersion",
    0x07: "NegotiateTransferParameters",
    0x08: "MultipartSend",
    0x09: "MultipartReceive",
  },
  [PldmType.Platform]: {
    0x01: "GetTerminusUID",
    0x04: "SetEventReceiver",
    0x05: "GetEventReceiver",
    0x0a: "PlatformEventMessage",
    0x0b: "PollForPlatformEventMessage",
    0x0c: "EventMessageSupported",
    0x0d: "EventMessageBufferSize",
    0x10: "SetNumericSensorEnable",
    0x11: "GetSensorReading",
    0x12: "GetSensorThresholds",
    0x13: "SetSensorThresholds",
    0x14: "RestoreSensorThresholds",
    0x15: "GetSensorHysteresis",
    0x16: "SetSensorHysteresis",
    0x17: "InitNumericSensor",
    0x20: "SetStateSensorEnables",
    0x21: "GetStateSensorReadings",
    0x22: "InitStateSensor",
    0x30: "SetNumericEffecterEnable",
    0x31: "SetNumericEffecterValue",
    0x32: "GetNumericEffecterValue",
    0x38: "SetStateEffecterEnables",
    0x39: "SetStateEffecterStates",
    0x3a: "GetStateEffecterStates",
    0x40: "GetPLDMEventLogInfo",
    0x41: "EnablePLDMEventLogging",
    0x42: "ClearPLDMEventLog",
    0x43: "GetPLDMEventLogTimestamp",
    0x44: "SetPLDMEventLogTimestamp",
    0x45: "ReadPLDMEventLog",
    0x46: "GetPLDMEventLogPolicyInfo",
    0x47: "SetPLDMEventLogPolicy",
    0x48: "FindPLDMEventLogEntry",
    0x50: "GetPDRRepositoryInfo",
    0x51: "GetPDR",
    0x52: "FindPDR",
    0x53: "GetPDRRepositorySignature",
    0x58: "RunInitAgent",
  },
  [PldmType.Bios]: {
    0x01: "GetBIOSTable",
    0x02: "SetBIOSTable",
    0x03: "UpdateBIOSTable",
    0x04: "GetBIOSTableTags",
    0x05: "SetBIOSTableTags",
    0x06: "AcceptBIOSAttributesPendingValues",
    0x07: "SetBIOSAttributeCurrentValue",
    0x08: "GetBIOSAttributeCurrentValueByHandle",
    0x09: "GetBIOSAttributePendingValueByHandle",
    0x0a: "GetBIOSAttributeCurrentValueByType",
    0x0b: "GetBIOSAttributePendingValueByType",
    0x0c: "GetDateTime",
    0x0d: "SetDateTime",
    0x0e: "GetBIOSStringTableStringType",
    0x0f: "SetBIOSStringTableStringType",
  },
  [PldmType.Fru]: {
    0x01: "GetFRURecordTableMetadata",
    0x02: "GetFRURecordTable",
    0x03: "SetFRURecordTable",
    0x04: "GetFRURecordByOption",
  },
  [PldmType.FirmwareUpdate]: {
    0x01: "QueryDeviceIdentifiers",
    0x02: "GetFirmwareParameters",
    0x03: "QueryDownstreamDevices",
    0x04: "QueryDownstreamIdentifiers",
    0x05: "GetDownstreamFirmwareParameters",
    0x10: "RequestUpdate",
    0x11: "GetPackageData",
    0x12: "GetDeviceMetaData",
    0x13: "PassComponentTable",
    0x14: "UpdateComponent",
    0x15: "RequestFirmwareData",
    0x16: "TransferComplete",
    0x17: "VerifyComplete",
    0x18: "ApplyComplete",
    0x19: "GetMetaData",
    0x1a: "ActivateFirmware",
    0x1b: "GetStatus",
    0x1c: "CancelUpdateComponent",
    0x1d: "CancelUpdate",
    0x1e: "ActivatePendingComponentImageSet",
    0x1f: "ActivatePendingComponentImage",
    0x20: "RequestDownstreamDeviceUpdate",
  },
};
