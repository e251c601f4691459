/** Attestation hooks: external commands and built-in checks the daemon asks at the exchange's transitions. */
export {
  AttestationHooks,
  DEFAULT_HOOK_TIMEOUT_MS,
  HOOK_POINTS,
  type AttestationSettings,
  type Decision,
  type HookPoint,
  type HookSetting,
  type HostFacts,
  type HookSubject,
} from "./attestation-hooks.js";
export { runHook, type HookCommand, type HookOutcome } from "./hook-runner.js";
export { describeKeyPolicy, keyPolicyDenial, keyTypeAndSize, parseKeyPolicy, type KeyPolicy } from "./key-policy.js";
export { checkRootAllowlist, type AllowlistVerdict, type RootAllowlistSetting } from "./root-allowlist.js";
export { checkAttestationSettings } from "./hook-settings.js";
