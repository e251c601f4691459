/** D-Bus names of the VMI certificate exchange, as OpenBMC spells them. */
export const CaManager = {
  service: "xyz.openbmc_project.Certs.ca.authority.Manager",
  path: "/xyz/openbmc_project/certs/ca",
  authority: "xyz.openbmc_project.Certs.Authority",
  deleteAll: "xyz.openbmc_project.Collection.DeleteAll",
  entryPathPrefix: "/xyz/openbmc_project/certs/ca/entry/",
  /** An empty CSR or one longer than this is refused with InvalidArgument. */
  maxCsrBytes: 4096,
} as const;

/** Our CA manager's own interface on CaManager.path (not bmc-vmi-ca's): state-file trouble. */
export const CaManagerState = {
  iface: "xyz.openbmc_project.PLDM.HostBridge.CaManagerState",
} as const;

export const CaEntryIface = {
  csr: "xyz.openbmc_project.PLDM.Provider.Certs.Authority.CSR",
  entry: "xyz.openbmc_project.Certs.Entry",
  delete: "xyz.openbmc_project.Object.Delete",
} as const;

export const EntryState = {
  Pending: "xyz.openbmc_project.Certs.Entry.State.Pending",
  BadCSR: "xyz.openbmc_project.Certs.Entry.State.BadCSR",
  Complete: "xyz.openbmc_project.Certs.Entry.State.Complete",
} as const;
export type EntryStateValue = (typeof EntryState)[keyof typeof EntryState];

export const HostState = {
  service: "xyz.openbmc_project.State.Host",
  path: "/xyz/openbmc_project/state/host0",
  iface: "xyz.openbmc_project.State.Host",
  transition: {
    On: "xyz.openbmc_project.State.Host.Transition.On",
    Off: "xyz.openbmc_project.State.Host.Transition.Off",
    Reboot: "xyz.openbmc_project.State.Host.Transition.Reboot",
  },
  state: {
    Running: "xyz.openbmc_project.State.Host.HostState.Running",
    Off: "xyz.openbmc_project.State.Host.HostState.Off",
    TransitioningToRunning: "xyz.openbmc_project.State.Host.HostState.TransitioningToRunning",
    TransitioningToOff: "xyz.openbmc_project.State.Host.HostState.TransitioningToOff",
  },
} as const;

export const HostBridgeStatus = {
  service: "xyz.openbmc_project.PLDM.HostBridge",
  path: "/xyz/openbmc_project/pldm/hostbridge",
  iface: "xyz.openbmc_project.PLDM.HostBridge.Status",
} as const;

/** Entry id from its path, or null when the path is not an entry. */
export function entryIdOf(path: string): number | null {
  if (!path.startsWith(CaManager.entryPathPrefix)) return null;
  const tail = path.slice(CaManager.entryPathPrefix.length);
  if (!/^[1-9][0-9]{0,9}$/.test(tail)) return null;
  const id = Number(tail);
  return id <= 0xffffffff ? id : null;
}

export function entryPath(id: number): string {
  return `${CaManager.entryPathPrefix}${id}`;
}
