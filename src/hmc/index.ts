/** The HMC client: enroll through the BMC's REST routes, then connect to the VMI; pinned roots and renewal. */
export { BmcRequestError, fetchRootCertificate, requestSignedCertificate, type BmcConnection, type BmcRequestFailure } from "./bmc-client.js";
export { credentialPaths, readCredentials, readEnrollment, type CredentialPaths, type EnrollmentRecord } from "./credentials-dir.js";
export { enroll, EnrollError, obtainCertificate, type EnrollFailure, type EnrollOptions, type EnrollResult } from "./enroll.js";
export { DEFAULT_KEEP_ROOTS, PinError, pinRoot, readPins, withoutPin, withPin, writePins, type PinnedRoot } from "./pinned-roots.js";
export { renew, type RenewOptions, type RenewResult } from "./renew.js";
export { connectToVmi, readIdentity, type VmiClientIdentity, type VmiConnectFailure, type VmiConnectOptions, type VmiConnectOutcome } from "./vmi-connect.js";
