/** Why a PLDM request did not get a usable answer. */
export type PldmRequestFailure =
  | "timeout" // no response after every retry
  | "not-ready" // the peer kept answering NOT_READY
  | "deadline" // waited too long in the queue before it could be sent
  | "closed"; // the engine was closed with the request outstanding

export class PldmRequestError extends Error {
  override readonly name = "PldmRequestError";
  constructor(
    readonly reason: PldmRequestFailure,
    readonly command: string,
    detail: string,
  ) {
    super(`${command}: ${reason}: ${detail}`);
  }
}
