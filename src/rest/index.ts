/** The REST front's public surface: what `hostbridge up` composes. */
export type { CertAuthority, SignOutcome } from "./cert-authority.js";
export { startRestServer, RestConfigError, type RestServer } from "./server.js";
export { DEFAULT_REST_SETTINGS, isLoopbackHost, resolveRestSettings, type RestOptions, type RestSettings } from "./settings.js";
export { DEFAULT_USER, hashPassword, loadUsersFile, UserDirectory, UsersFileError, verifyPassword, type Role, type User } from "./users.js";
export { RETRY_AFTER_SECONDS } from "./ibm-routes.js";
export { CERTIFICATE_PATH, ROOT_CERT_PATH, SIGN_CSR_PATH } from "../api/rest-paths.js";
export { loadOrCreateTlsIdentity, type TlsIdentity } from "./tls-identity.js";
