// Microsoft.App container apps in the emulator: GET, the PATCH long-running operation, identity spelled
// without a space, the template's env (arrays replaced, as JSON Merge Patch does), the host's variables,
// and role assignments at the app's scope.
import { readFileSync } from "node:fs";
import { ContainerAppsAPIClient } from "@azure/arm-appcontainers";
import { ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArmClients } from "../../src/azure/clients.js";
import { listContainerAppIdentities } from "../../src/azure/container-apps.js";
import { DEFAULT_WORLD } from "../../src/emulator/world.js";
import { ids, useEmulator } from "../helpers/emulator.js";

const API = "api-version=2025-07-01";
const emu = useEmulator({ blob: false });
let app: string;
let uami: string;

beforeAll(() => {
  const id = ids(emu.handle);
  app = `${id.rg}/providers/Microsoft.App/containerApps/msdocs-aca`;
  uami = id.uami("msdocs-uami");
});

const url = (path = app) => `${path}?${API}`;
const rel = (header: unknown) => String(header).slice(emu.handle.url.length);

describe("Microsoft.App containerApps", () => {
  it("the default world's msdocs-aca: no identity, one container, Succeeded; a missing app is ResourceNotFound", async () => {
    const r = await emu.api.arm("GET", url());
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      id: app,
      name: "msdocs-aca",
      type: "Microsoft.App/containerApps",
      location: "eastus",
    });
    expect(r.json.identity).toBeUndefined();
    expect(r.json.properties.provisioningState).toBe("Succeeded");
    expect(r.json.properties.template.containers).toHaveLength(1);
    expect(r.json.properties.latestRevisionName).toMatch(/^msdocs-aca--/);

    const missing = await emu.api.arm("GET", url(app.replace("msdocs-aca", "nope")));
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("ResourceNotFound");
    const patchMissing = await emu.api.arm("PATCH", url(app.replace("msdocs-aca", "nope")), { tags: {} });
    expect(patchMissing.json.error.code).toBe("PatchResourceNotFound");
    const oldVersion = await emu.api.arm("GET", `${app}?api-version=2021-01-01`);
    expect(oldVersion.status).toBe(400);
    expect(oldVersion.json.error.code).toBe("NoRegisteredProviderFound");
  });

  it("PATCH is a 202 with Azure-AsyncOperation, Location and Retry-After; statuses InProgress then Succeeded; the result is the app", async () => {
    const r = await emu.api.arm("PATCH", url(), {
      identity: { type: "SystemAssigned,UserAssigned", userAssignedIdentities: { [uami]: {} } },
    });
    expect(r.status).toBe(202);
    expect(r.text).toBe("");
    const base = `${emu.handle.url}/subscriptions/${emu.handle.subscriptionId}/providers/Microsoft.App/locations/eastus`;
    expect(String(r.headers["azure-asyncoperation"])).toMatch(
      new RegExp(`^${base}/containerappOperationStatuses/[0-9a-f-]{36}\\?${API}$`),
    );
    expect(String(r.headers.location)).toMatch(
      new RegExp(`^${base}/containerappOperationResults/[0-9a-f-]{36}\\?${API}$`),
    );
    expect(r.headers["retry-after"]).toBe("0");

    const status = rel(r.headers["azure-asyncoperation"]);
    const result = rel(r.headers.location);
    expect((await emu.api.arm("GET", status)).json).toMatchObject({
      status: "InProgress",
      startTime: expect.any(String),
    });
    expect((await emu.api.arm("GET", result)).status).toBe(202);
    expect((await emu.api.arm("GET", url())).json.properties.provisioningState).toBe("InProgress");

    await emu.api.control("POST", "clock/advance", { ms: 300 });
    expect((await emu.api.arm("GET", status)).json).toMatchObject({
      status: "Succeeded",
      endTime: expect.any(String),
    });
    const done = await emu.api.arm("GET", result);
    expect(done.status).toBe(200);
    expect(done.json.id).toBe(app);
    const after = await emu.api.arm("GET", url());
    expect(after.json.properties.provisioningState).toBe("Succeeded");
    // Microsoft.App's spelling of the combined type: no space.
    expect(after.json.identity).toMatchObject({
      type: "SystemAssigned,UserAssigned",
      tenantId: emu.handle.tenantId,
      principalId: expect.any(String),
    });
    expect(Object.keys(after.json.identity.userAssignedIdentities)).toEqual([uami]);
    // The spelling with a space is accepted too; type SystemAssigned drops the user-assigned one.
    await emu.api.arm("PATCH", url(), { identity: { type: "SystemAssigned" } });
    await emu.api.control("POST", "operations/settle");
    expect((await emu.api.arm("GET", url())).json.identity.userAssignedIdentities).toBeUndefined();
  });

  it("an lro-failed fault ends the operation Failed and puts the identity and template back", async () => {
    await emu.api.control("POST", "faults", {
      match: { method: "PATCH", path: "containerApps/msdocs-aca" },
      fault: { type: "lro-failed" },
      count: 1,
    });
    const before = (await emu.api.arm("GET", url())).json;
    const r = await emu.api.arm("PATCH", url(), {
      identity: { type: "SystemAssigned" },
      properties: { template: { containers: [{ name: "x", image: "y", env: [{ name: "A", value: "1" }] }] } },
    });
    await emu.api.control("POST", "operations/settle");
    expect((await emu.api.arm("GET", rel(r.headers["azure-asyncoperation"]))).json).toMatchObject({
      status: "Failed",
      error: { code: expect.any(String), message: expect.any(String) },
    });
    const after = (await emu.api.arm("GET", url())).json;
    expect(after.identity).toBeUndefined();
    expect(after.properties.template.containers).toEqual(before.properties.template.containers);
    expect(after.properties.provisioningState).toBe("Failed");
  });

  it("a template PATCH replaces the containers array (a new revision); the same template again makes none", async () => {
    const before = (await emu.api.arm("GET", url())).json.properties;
    const containers = [
      {
        name: "web",
        image: "img:1",
        env: [
          { name: "A", value: "1" },
          { name: "S", secretRef: "s" },
        ],
      },
    ];
    await emu.api.arm("PATCH", url(), { properties: { template: { containers } } });
    await emu.api.control("POST", "operations/settle");
    const after = (await emu.api.arm("GET", url())).json.properties;
    expect(after.template.containers).toEqual(containers);
    expect(after.template.scale).toEqual(before.template.scale);
    expect(after.latestRevisionName).not.toBe(before.latestRevisionName);
    await emu.api.arm("PATCH", url(), { properties: { template: { containers } } });
    await emu.api.control("POST", "operations/settle");
    expect((await emu.api.arm("GET", url())).json.properties.latestRevisionName).toBe(
      after.latestRevisionName,
    );

    const bad = await emu.api.arm("PATCH", url(), {
      properties: {
        template: {
          containers: [{ name: "web", image: "i", env: [{ name: "A", value: "1", secretRef: "s" }] }],
        },
      },
    });
    expect(bad.status).toBe(400);
  });

  it("the test helper's enableSystem works on a container app (for other commands' tests)", async () => {
    const principalId = await emu.current.enableSystem(app);
    const r = await emu.api.arm("GET", url());
    expect(r.json.identity).toMatchObject({ type: "SystemAssigned", principalId });
  });

  it("lists the subscription's container apps", async () => {
    const r = await emu.api.arm(
      "GET",
      `/subscriptions/${emu.handle.subscriptionId}/providers/Microsoft.App/containerApps?${API}`,
    );
    expect(r.status).toBe(200);
    expect(r.json.value.map((a: { id: string }) => a.id)).toEqual([app]);
  });

  it("its host: IDENTITY_ENDPOINT and IDENTITY_HEADER only with an identity, CONTAINER_APP_* always; tokens for its identity", async () => {
    const none = emu.handle.envFor(app);
    expect(none.IDENTITY_ENDPOINT).toBeUndefined();
    expect(none.IDENTITY_HEADER).toBeUndefined();
    expect(none).toMatchObject({
      CONTAINER_APP_NAME: "msdocs-aca",
      CONTAINER_APP_REVISION: expect.stringMatching(/^msdocs-aca--/),
      CONTAINER_APP_PORT: "80",
    });
    expect(none.CONTAINER_APP_HOSTNAME).toBe(
      `${none.CONTAINER_APP_REVISION}.${none.CONTAINER_APP_ENV_DNS_SUFFIX}`,
    );
    expect(none.WEBSITE_SITE_NAME).toBeUndefined();

    await emu.api.arm("PATCH", url(), { identity: { type: "SystemAssigned" } });
    await emu.api.control("POST", "operations/settle");
    const principalId = (await emu.api.arm("GET", url())).json.identity.principalId;
    const env = emu.handle.envFor(app);
    expect(env.IDENTITY_ENDPOINT).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/msi\//);
    const path = new URL(env.IDENTITY_ENDPOINT ?? "").pathname;
    const jwt = await emu.api.token("https://storage.azure.com", path);
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as Record<
      string,
      string
    >;
    expect(claims.oid).toBe(principalId);
    expect(claims.xms_mirid?.toLowerCase()).toBe(app.toLowerCase());
    expect(principalId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("role assignments at the app's scope work; at a missing app's scope they are ResourceNotFound", async () => {
    const reader = "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7";
    const body = {
      properties: {
        roleDefinitionId: reader,
        principalId: DEFAULT_WORLD.operator.principalId,
        principalType: "ServicePrincipal",
      },
    };
    const name = "0d8f1b2c-3a4e-4f6a-8b0c-1d2e3f4a5b6c";
    const at = (scope: string) =>
      `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`;
    const ok = await emu.api.arm("PUT", at(app), body);
    expect(ok.status).toBe(201);
    expect(ok.json.properties.scope).toBe(app);
    const missing = await emu.api.arm("PUT", at(app.replace("msdocs-aca", "nope")), body);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("ResourceNotFound");
  });
});

describe("the published @azure/arm-appcontainers client", () => {
  let saved: NodeJS.ProcessEnv;
  let client: ContainerAppsAPIClient;
  beforeAll(() => {
    saved = { ...process.env };
    process.env.IDENTITY_ENDPOINT = emu.handle.operatorEnv.IDENTITY_ENDPOINT;
    process.env.IDENTITY_HEADER = emu.handle.operatorEnv.IDENTITY_HEADER;
    const tlsOptions = { ca: readFileSync(emu.handle.caPath, "utf8") };
    const credential = new ManagedIdentityCredential({ tlsOptions });
    client = new ContainerAppsAPIClient(credential, emu.handle.subscriptionId, {
      endpoint: emu.handle.url,
      credentialScopes: ["https://management.azure.com/.default"],
      tlsOptions,
      retryOptions: { maxRetries: 0 },
    } as never);
  });
  afterAll(() => {
    process.env = saved;
  });

  it("beginUpdateAndWait follows the operation to its end and gives the app", async () => {
    const done = await client.containerApps.beginUpdateAndWait(
      "msdocs-sdk-auth-example",
      "msdocs-aca",
      {
        location: "eastus",
        identity: { type: "SystemAssigned,UserAssigned", userAssignedIdentities: { [uami]: {} } },
      },
      { updateIntervalInMs: 50 },
    );
    expect(done.id).toBe(app);
    expect(done.provisioningState).toBe("Succeeded");
    expect(done.identity?.type).toBe("SystemAssigned,UserAssigned");
  });

  it("listContainerAppIdentities: each container app with its user-assigned identities", async () => {
    const arm = { containerApps: async () => client } as unknown as ArmClients;
    expect(await listContainerAppIdentities(arm, emu.handle.subscriptionId)).toEqual([
      { id: app, name: "msdocs-aca", resourceGroup: "msdocs-sdk-auth-example", userAssignedIdentities: [] },
    ]);
    await emu.api.arm("PATCH", url(), {
      identity: { type: "UserAssigned", userAssignedIdentities: { [uami]: {} } },
    });
    await emu.api.control("POST", "operations/settle");
    expect(await listContainerAppIdentities(arm, emu.handle.subscriptionId)).toEqual([
      {
        id: app,
        name: "msdocs-aca",
        resourceGroup: "msdocs-sdk-auth-example",
        userAssignedIdentities: [uami],
      },
    ]);
  });
});
