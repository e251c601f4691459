/**
 * bmcweb's IBM management-console paths for the VMI certificate exchange: served by
 * src/rest, called by the HMC client in src/hmc.
 */
export const SIGN_CSR_PATH = "/ibm/v1/Host/Actions/SignCSR";
export const ROOT_CERT_PATH = "/ibm/v1/Host/Certificate/root";
export const CERTIFICATE_PATH = "/ibm/v1/Host/Certificate";
export const IBM_ROOT_PATH = "/ibm/v1/";
