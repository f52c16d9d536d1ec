// The published SDKs against the emulator: their pipelines (auth, retries, LRO polling) run for real.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WebSiteManagementClient } from "@azure/arm-appservice";
import { ComputeManagementClient } from "@azure/arm-compute";
import { ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimsOf, ids, RG, useEmulator } from "../helpers/emulator.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const emu = useEmulator({ blob: false });
let saved: NodeJS.ProcessEnv;

beforeAll(() => {
  saved = { ...process.env };
  // MSAL reads these when the credential is constructed; NODE_EXTRA_CA_CERTS cannot apply in-process,
  // so the CA is passed as tlsOptions instead.
  process.env.IDENTITY_ENDPOINT = emu.handle.operatorEnv.IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = emu.handle.operatorEnv.IDENTITY_HEADER;
});
afterAll(() => {
  process.env = saved;
});

function sdk() {
  const tlsOptions = { ca: readFileSync(emu.handle.caPath, "utf8") };
  const credential = new ManagedIdentityCredential({ tlsOptions });
  const options = { endpoint: emu.handle.url, tlsOptions, retryOptions: { maxRetries: 0 } };
  return {
    credential,
    web: new WebSiteManagementClient(credential, emu.handle.subscriptionId, options),
    compute: new ComputeManagementClient(credential, emu.handle.subscriptionId, options),
  };
}

describe("real SDK clients", () => {
  it("ManagedIdentityCredential gets the operator's token through the App Service protocol", async () => {
    const t = await sdk().credential.getToken("https://management.azure.com/.default");
    expect(claimsOf(t.token).aud).toBe("https://management.azure.com");
    expect(t.expiresOnTimestamp).toBeGreaterThan(Date.now());
  });

  it("arm-appservice reads and updates a site, keeping a merged identity", async () => {
    const { web } = sdk();
    const site = await web.webApps.get(RG, "msdocs-func");
    expect(site.identity?.type).toBe("UserAssigned");
    const uami = ids(emu.handle).uami("msdocs-uami");
    const updated = await web.webApps.update(RG, "msdocs-func", {
      identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: { [uami]: {} } },
    });
    expect(updated.identity?.type).toBe("SystemAssigned, UserAssigned");
    expect(updated.identity?.principalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(updated.identity?.userAssignedIdentities ?? {})).toEqual([uami]);
    await expect(web.webApps.get(RG, "nope")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
  });

  it("arm-compute drives the VM update LRO to completion, and surfaces a failed one", async () => {
    const { compute } = sdk();
    const vm = await compute.virtualMachines.update(
      RG,
      "msdocs-vm",
      { identity: { type: "SystemAssigned" } },
      { updateIntervalInMs: 50 },
    );
    expect(vm.provisioningState).toBe("Succeeded");
    expect(vm.identity?.type).toBe("SystemAssigned");
    await emu.api.control("POST", "faults", { match: { method: "PATCH" }, fault: { type: "lro-failed" } });
    await expect(
      compute.virtualMachines.update(
        RG,
        "msdocs-vm",
        { identity: { type: "None" } },
        { updateIntervalInMs: 50 },
      ),
    ).rejects.toThrow(/internal execution error/i);
    expect((await compute.virtualMachines.get(RG, "msdocs-vm")).identity?.type).toBe("SystemAssigned");
  });

  it("arm-compute: the VM's etag goes up on a write; a stale ifMatch is 412 PreconditionFailed", async () => {
    const { compute } = sdk();
    const before = await compute.virtualMachines.get(RG, "msdocs-vm");
    expect(before.etag).toBe('"1"');
    const wait = { updateIntervalInMs: 50 };
    const enabled = await compute.virtualMachines.update(
      RG,
      "msdocs-vm",
      { identity: { type: "SystemAssigned" } },
      { ...wait, ifMatch: before.etag },
    );
    expect(enabled.etag).toBe('"2"');
    await expect(
      compute.virtualMachines.update(
        RG,
        "msdocs-vm",
        { identity: { type: "None" } },
        { ...wait, ifMatch: before.etag },
      ),
    ).rejects.toMatchObject({ statusCode: 412, code: "PreconditionFailed" });
    const after = await compute.virtualMachines.get(RG, "msdocs-vm");
    expect([after.etag, after.identity?.type]).toEqual(['"2"', "SystemAssigned"]);
  });

  it("DefaultAzureCredential in a fresh process works from env.sh alone (NODE_EXTRA_CA_CERTS), as the operator and as an app", async () => {
    await emu.api.arm("PATCH", `${ids(emu.handle).site("msdocs-web")}?api-version=2025-05-01`, {
      identity: { type: "SystemAssigned" },
    });
    const operator = await childToken(emu.handle.operatorEnv);
    expect(operator.oid).toBe((await emu.api.control("GET", "state")).json.operator.principalId);
    const app = await childToken(emu.handle.envFor(ids(emu.handle).site("msdocs-web")));
    expect(String(app.xms_mirid)).toBe(
      ids(emu.handle).site("msdocs-web").replace("resourceGroups", "resourcegroups"),
    );
    // A VM: IMDS through AZURE_POD_IDENTITY_AUTHORITY_HOST; Azure's 400 until it has an identity, then its token.
    const vm = ids(emu.handle).vm("msdocs-vm");
    await expect(childToken(emu.handle.envFor(vm))).rejects.toThrow(/Identity not found/);
    const principalId = await emu.current.enableSystem(vm);
    const asVm = await childToken(emu.handle.envFor(vm));
    expect([asVm.oid, asVm.xms_mirid]).toEqual([principalId, vm.replace("resourceGroups", "resourcegroups")]);
  });
});

async function childToken(env: Record<string, string>): Promise<Record<string, unknown>> {
  const script = `
    import { DefaultAzureCredential } from "@azure/identity";
    const t = await new DefaultAzureCredential().getToken("https://storage.azure.com/.default");
    process.stdout.write(Buffer.from(t.token.split(".")[1], "base64url").toString());
  `;
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(AZURE_|IDENTITY_|MSI_|NODE_OPTIONS)/.test(k)),
  );
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: ROOT,
    env: { ...clean, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const code = await new Promise((r) => child.on("close", r));
  if (code !== 0) throw new Error(`credential failed: ${err}`);
  return JSON.parse(out) as Record<string, unknown>;
}
