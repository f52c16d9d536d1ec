import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Certificates } from "../certs.js";
import type { Faults } from "../faults.js";
import type { RequestLog } from "../log.js";
import type { State } from "../state.js";
import type { JwtService } from "../tokens/jwt.js";
import type { World } from "../world.js";
import { startAzurite } from "./azurite.js";
import { createBlobGate } from "./gate.js";
import { listContainers, seedAccount } from "./seed.js";

export interface BlobPlane {
  /** https://127.0.0.1:PORT of the RBAC gate; `${gateUrl}/${account}` is an account's blob endpoint. */
  gateUrl: string;
  /** Azurite itself, behind the gate: no RBAC there. */
  azuriteUrl: string;
  azuriteStartupMs: number;
  /** Azurite back to the world's containers and blobs. */
  reset(): Promise<void>;
  /** The account's container names, as Azurite lists them. */
  containers(account: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface BlobPlaneDeps {
  main: string;
  dir: string;
  certs: Certificates;
  state: State;
  world: World;
  jwt: JwtService;
  log: RequestLog;
  faults: Faults;
}

export async function startBlobPlane(d: BlobPlaneDeps): Promise<BlobPlane> {
  const certPath = join(d.dir, "server.pem");
  const keyPath = join(d.dir, "server-key.pem");
  writeFileSync(certPath, d.certs.certPem, { mode: 0o600 });
  writeFileSync(keyPath, d.certs.keyPem, { mode: 0o600 });
  const accounts = (d.world.storageAccounts ?? []).map((a) => ({
    name: a.name,
    key: randomBytes(64).toString("base64"),
  }));
  const azurite = await startAzurite({
    main: d.main,
    dir: join(d.dir, "azurite"),
    certPath,
    keyPath,
    accounts,
  });
  const { server, agent } = createBlobGate(d.certs, {
    state: d.state,
    jwt: d.jwt,
    log: d.log,
    faults: d.faults,
    azurite: { url: azurite.url, ca: d.certs.caPem },
  });
  const admin = {
    url: azurite.url,
    ca: d.certs.caPem,
    token: async () => {
      const op = d.state.operator;
      return (await d.jwt.issue(op, "https://storage.azure.com", 600)).token;
    },
  };
  const reset = async () => {
    await Promise.all((d.world.storageAccounts ?? []).map((a) => seedAccount(admin, a)));
  };
  try {
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(0, "127.0.0.1", () => ok());
    });
    await reset();
  } catch (e) {
    server.close();
    await azurite.stop();
    throw e;
  }
  const gateUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    gateUrl,
    azuriteUrl: azurite.url,
    azuriteStartupMs: azurite.startupMs,
    reset,
    containers: (account) => listContainers(admin, account),
    close() {
      closed ??= (async () => {
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        });
        agent.destroy();
        await azurite.stop();
      })();
      return closed;
    },
  };
}
