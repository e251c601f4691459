/** The REST front's public surface: what `hostbridge up` composes. */
export type { CertAuthority, SignOutcome } from "./cert-authority.js";
export { startRestServer, RestConfigError, type RestServer } from "./server.js";
export { DEFAULT_REST_SETTINGS, isLoopbackHost, resolveRestSettings, type RestOptions, type RestSettings } from "./settings.js";
export { DEFAULT_USER, hashPassword, loadUsersFile, UserDirectory, UsersFileError, verifyPassword, type Role, type User } from "./users.js";
export { CERTIFICATE_PATH, RETRY_AFTER_SECONDS, ROOT_CERT_PATH, SIGN_CSR_PATH } from "./ibm-routes.js";
export { loadOrCreateTlsIdentity, type TlsIdentity } from "./tls-identity.js";
export { writeFileAtomic } from "./files.js";
