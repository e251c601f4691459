/**
 * Set by `hostbridge up` on the parts it starts, with a pipe as their stdin: when that pipe
 * closes, up is gone (even by SIGKILL) and the part stops rather than live on as an orphan.
 */
export const STOP_WITH_PARENT_ENV = "HOSTBRIDGE_STOP_WITH_PARENT";
