/** The base type (0) answers every PLDM terminus gives, advertising exactly what its responder handles. */
import { BaseTransferFlag, GetPLDMCommands, GetPLDMTypes, GetPLDMVersion, GetTID, SetTID } from "../../pldm-codec/pldm/base.js";
import { CompletionCode, PldmType } from "../../pldm-codec/pldm/names.js";
import { fail, ok, type PldmResponder } from "./pldm-responder.js";

/** Versions reported per type, as pldmd does (base 1.0.0, platform 1.2.0, OEM 1.0.0). */
const VERSIONS: Readonly<Record<number, string>> = {
  [PldmType.Base]: "1.0.0",
  [PldmType.Platform]: "1.2.0",
  [PldmType.Bios]: "1.0.0",
  [PldmType.Fru]: "1.0.0",
  [PldmType.Oem]: "1.0.0",
};

export function registerBaseResponder(r: PldmResponder, terminus: { tid: number; onTidSet?: (tid: number) => void }): void {
  r.on(GetTID, () => ok({ tid: terminus.tid }));
  r.on(SetTID, ({ tid }) => {
    if (tid === 0 || tid === 0xff) return fail(CompletionCode.InvalidData);
    terminus.tid = tid;
    terminus.onTidSet?.(tid);
    return ok({});
  });
  r.on(GetPLDMTypes, () => ok({ types: r.supportedTypes() }));
  r.on(GetPLDMCommands, ({ pldmType }) => {
    if (!r.supportedTypes().includes(pldmType)) return fail(CompletionCode.InvalidType);
    return ok({ commands: r.supportedCommands(pldmType) });
  });
  r.on(GetPLDMVersion, ({ pldmType }) => {
    if (!r.supportedTypes().includes(pldmType)) return fail(CompletionCode.InvalidType);
    // The whole answer fits one part, so the transfer flag asked for does not matter (as in pldmd).
    return ok({
      nextTransferHandle: 0,
      transferFlag: BaseTransferFlag.StartAndEnd,
      version: VERSIONS[pldmType] ?? "1.0.0",
      versionDataRest: new Uint8Array(0),
    });
  });
}
