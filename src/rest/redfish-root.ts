/**
 * The part of bmcweb's Redfish tree a client needs to find the session service: the
 * unauthenticated /redfish and /redfish/v1 (bmcweb's allowlist), as the python-redfish
 * library (and so OpenBMC's robot suites) reads them before POSTing a session.
 */
import { allowOnly, type RestApp } from "./replies.js";
import { SESSIONS_PATH } from "./session-routes.js";

export function registerRedfishRoot(app: RestApp): void {
  app.get("/redfish", async () => ({ v1: "/redfish/v1/" }));
  const root = async () => ({
    "@odata.id": "/redfish/v1",
    "@odata.type": "#ServiceRoot.v1_11_0.ServiceRoot",
    Id: "RootService",
    Links: { Sessions: { "@odata.id": SESSIONS_PATH } },
    Name: "Root Service",
    RedfishVersion: "1.17.0",
    SessionService: { "@odata.id": "/redfish/v1/SessionService" },
  });
  app.get("/redfish/v1", root);
  allowOnly(app, "/redfish/v1", ["GET"]);
}
