/** The HMC client: enroll through the BMC's REST routes, then connect to the VMI. */
export { BmcRequestError, fetchRootCertificate, requestSignedCertificate, type BmcConnection, type BmcRequestFailure } from "./bmc-client.js";
export { credentialPaths, readCredentials, readEnrollment, type CredentialPaths, type EnrollmentRecord } from "./credentials-dir.js";
export { enroll, EnrollError, type EnrollFailure, type EnrollOptions, type EnrollResult } from "./enroll.js";
export { connectToVmi, type VmiConnectFailure, type VmiConnectOptions, type VmiConnectOutcome } from "./vmi-connect.js";
