// Microsoft.Authorization in the emulator: role definitions and role assignments, over raw HTTPS and with
// the published @azure/arm-authorization client (scopes WITHOUT a leading slash, as that SDK wants).
import { readFileSync } from "node:fs";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_WORLD,
  type EmulatorHandle,
  startEmulator,
  validateWorld,
  type World,
} from "../../src/emulator/index.js";
import { client, ids, RG, useEmulator, WEB } from "../helpers/emulator.js";

const AUTHZ = "api-version=2022-04-01";
const USER = "0f14a80d-42e5-4d57-afe0-46acf9dfae05";
const SITE_PRINCIPAL = "5b1d7c3e-9f2a-4b6c-8d0e-1a2b3c4d5e6f";
const NEVER = "11111111-2222-4333-8444-555555555555";
const ROLE = {
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  blobReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  blobContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  queueSender: "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
};
const CUSTOM_ROLE = "9c1e3a5b-7d2f-4e6a-8b0c-1d3e5f7a9b2c";

function world(): World {
  const w = structuredClone(DEFAULT_WORLD);
  w.principals = [{ principalId: USER, type: "User", displayName: "Ada" }];
  w.roleDefinitions = [
    {
      name: CUSTOM_ROLE,
      roleName: "Site Identity Operator",
      description: "Reads sites and manages their identity.",
      actions: ["Microsoft.Web/sites/read", "Microsoft.Web/sites/write"],
      assignableScopes: ["/subscriptions/{subscriptionId}"],
    },
  ];
  w.roleAssignments.push({ principalId: w.operator.principalId, roleDefinitionName: "Reader", scope: "/" });
  w.roleAssignments.push({
    principalId: USER,
    roleDefinitionName: "site identity operator",
    scope: `/subscriptions/{subscriptionId}/resourceGroups/${RG}`,
  });
  const site = w.sites?.[0];
  if (site) site.identity = { type: "SystemAssigned", principalId: SITE_PRINCIPAL };
  return w;
}

const emu = useEmulator({ blob: false, seed: world(), replicationDelayMs: 400 });
let id: ReturnType<typeof ids>;
let saved: NodeJS.ProcessEnv;

beforeAll(async () => {
  id = ids(emu.handle);
  saved = { ...process.env };
  process.env.IDENTITY_ENDPOINT = emu.handle.operatorEnv.IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = emu.handle.operatorEnv.IDENTITY_HEADER;
});
afterAll(() => {
  process.env = saved;
});

function sdk(): AuthorizationManagementClient {
  const tlsOptions = { ca: readFileSync(emu.handle.caPath, "utf8") };
  return new AuthorizationManagementClient(
    new ManagedIdentityCredential({ tlsOptions }),
    emu.handle.subscriptionId,
    {
      endpoint: emu.handle.url,
      credentialScopes: ["https://management.azure.com/.default"],
      tlsOptions,
      retryOptions: { maxRetries: 0 },
    },
  );
}

const sub = () => `/subscriptions/${emu.handle.subscriptionId}`;
const container = () => `${id.storage("msdocsstorage")}/blobServices/default/containers/c1`;
const assignmentPath = (scope: string, name: string) =>
  `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/${name}?${AUTHZ}`;
const roleId = (guid: string) => `${sub()}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const put = (scope: string, name: string, properties: Record<string, unknown>, token?: string) =>
  emu.api.arm("PUT", assignmentPath(scope, name), { properties }, token);

describe("role definitions", () => {
  it("pages through every built-in and custom role, following nextLink verbatim (SDK)", async () => {
    const names: string[] = [];
    for await (const r of sdk().roleDefinitions.list(sub().slice(1))) names.push(r.roleName ?? "");
    expect(names.length).toBeGreaterThanOrEqual(50);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(["Owner", "Storage Queue Data Message Sender", "Site Identity Operator"]),
    );
    const pages = (await emu.api.control("GET", "requests")).json.value.filter((r: { path: string }) =>
      r.path.endsWith("/roleDefinitions"),
    );
    expect(pages.length).toBe(Math.ceil(names.length / 20));
  });

  it("answers ARM's wire shape with an absolute nextLink carrying api-version, $filter and $skiptoken", async () => {
    const first = await emu.api.arm(
      "GET",
      `${sub()}/providers/Microsoft.Authorization/roleDefinitions?${AUTHZ}`,
    );
    expect(first.status).toBe(200);
    expect(first.json.value).toHaveLength(20);
    const next = new URL(first.json.nextLink);
    expect(`${next.protocol}//${next.host}`).toBe(emu.handle.url);
    expect(next.searchParams.get("api-version")).toBe("2022-04-01");
    expect(next.searchParams.get("$skiptoken")).toBeTruthy();
    const owner = first.json.value.find((r: { name: string }) => r.name === ROLE.owner);
    expect(owner).toEqual({
      id: roleId(ROLE.owner),
      type: "Microsoft.Authorization/roleDefinitions",
      name: ROLE.owner,
      properties: expect.objectContaining({
        roleName: "Owner",
        type: "BuiltInRole",
        assignableScopes: ["/"],
        permissions: [{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }],
        createdBy: null,
        updatedBy: null,
      }),
    });
    const second = await emu.api.arm("GET", next.pathname + next.search);
    expect(second.json.value[0].name).not.toBe(first.json.value[0].name);
  });

  it("filters by roleName (case-insensitive) and type, at group and resource scopes", async () => {
    const byName = [];
    for await (const r of sdk().roleDefinitions.list(id.storage("msdocsstorage").slice(1), {
      filter: "roleName eq 'storage blob data reader'",
    }))
      byName.push(r);
    expect(byName.map((r) => [r.name, r.roleType])).toEqual([[ROLE.blobReader, "BuiltInRole"]]);
    expect(byName[0]?.permissions?.[0]?.dataActions).toEqual([
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
    ]);
    const custom = await emu.api.arm(
      "GET",
      `${id.rg}/providers/Microsoft.Authorization/roleDefinitions?${AUTHZ}&$filter=${encodeURIComponent("type eq 'CustomRole'")}`,
    );
    expect(custom.json.value.map((r: { name: string }) => r.name)).toEqual([CUSTOM_ROLE]);
    expect(custom.json.value[0].properties.assignableScopes).toEqual([sub()]);
    const bad = await emu.api.arm(
      "GET",
      `${sub()}/providers/Microsoft.Authorization/roleDefinitions?${AUTHZ}&$filter=${encodeURIComponent("foo eq 'x'")}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("UnsupportedQuery");
  });

  it("gets one by GUID, 404s an unknown one, and checks scope and api-version", async () => {
    const one = await sdk().roleDefinitions.get(sub().slice(1), ROLE.queueSender);
    expect(one.roleName).toBe("Storage Queue Data Message Sender");
    const path = (scope: string, guid: string, v = AUTHZ) =>
      `${scope}/providers/Microsoft.Authorization/roleDefinitions/${guid}?${v}`;
    const missing = await emu.api.arm("GET", path(sub(), NEVER));
    expect(missing.status).toBe(404);
    expect(missing.json.error).toEqual({
      code: "RoleDefinitionDoesNotExist",
      message: `The specified role definition with ID '${NEVER}' does not exist.`,
    });
    expect((await emu.api.arm("GET", path(sub(), ROLE.owner, "api-version=2018-01-01-preview"))).status).toBe(
      200,
    );
    const version = await emu.api.arm("GET", path(sub(), ROLE.owner, "api-version=2099-01-01"));
    expect(version.json.error.code).toBe("NoRegisteredProviderFound");
    const group = await emu.api.arm("GET", path(`${sub()}/resourceGroups/nope`, ROLE.owner));
    expect(group.json.error.code).toBe("ResourceGroupNotFound");
    // At the tenant root the ID has no subscription (the world gives the operator Reader at "/").
    const root = await emu.api.arm("GET", path("", ROLE.owner));
    expect(root.json.id).toBe(`/providers/Microsoft.Authorization/roleDefinitions/${ROLE.owner}`);
  });
});

describe("role assignments", () => {
  it("creates, reads, lists and deletes through the SDK at a storage account and a container", async () => {
    const auth = sdk();
    const uami = (await emu.api.control("GET", "state")).json.userAssignedIdentities[0].principalId;
    const name = "7d4c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a";
    const created = await auth.roleAssignments.create(container().slice(1), name, {
      roleDefinitionId: roleId(ROLE.blobContributor),
      principalId: uami,
      principalType: "ServicePrincipal",
    });
    expect(created).toMatchObject({
      id: `${container()}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      type: "Microsoft.Authorization/roleAssignments",
      scope: container(),
      roleDefinitionId: roleId(ROLE.blobContributor),
      principalType: "ServicePrincipal",
    });
    expect((await auth.roleAssignments.getById(created.id?.slice(1) ?? "")).name).toBe(name);

    const atScope = [];
    for await (const a of auth.roleAssignments.listForScope(container().slice(1), { filter: "atScope()" }))
      atScope.push(a.name);
    expect(atScope).toContain(name);
    expect(atScope).toContain("1c3e5a7b-9d2f-4b6a-8c0e-2f4a6c8e0b1d"); // the operator's Owner above it
    const atAccount = [];
    for await (const a of auth.roleAssignments.listForScope(id.storage("msdocsstorage").slice(1), {
      filter: "atScope()",
    }))
      atAccount.push(a.name);
    expect(atAccount).not.toContain(name); // below the scope: only without atScope()
    const byPrincipal = [];
    for await (const a of auth.roleAssignments.listForScope(sub().slice(1), {
      filter: `principalId eq '${uami}'`,
    }))
      byPrincipal.push(a.name);
    expect(byPrincipal).toEqual([name]);

    const deleted = await auth.roleAssignments.delete(container().slice(1), name);
    expect(deleted.name).toBe(name);
    await expect(auth.roleAssignments.get(container().slice(1), name)).rejects.toMatchObject({
      statusCode: 404,
      code: "RoleAssignmentNotFound",
      message: `The role assignment '${name}' is not found.`,
    });
    expect((await emu.api.arm("DELETE", assignmentPath(container(), name))).status).toBe(204);
  });

  it("lists at, above and below a scope without a filter, and pages like definitions", async () => {
    for (let i = 0; i < 25; i++) {
      const r = await put(
        `${id.storage("msdocsstorage")}/blobServices/default/containers/c${i}`,
        `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        {
          roleDefinitionId: roleId(ROLE.reader),
          principalId: USER,
          principalType: "User",
          description: `n${i}`,
        },
      );
      expect(r.status, r.text).toBe(201);
    }
    const all = [];
    for await (const a of sdk().roleAssignments.listForScope(sub().slice(1))) all.push(a);
    expect(all.length).toBe(25 + 3); // Owner and Reader of the operator, the world's custom-role assignment
    const first = await emu.api.arm(
      "GET",
      `${sub()}/providers/Microsoft.Authorization/roleAssignments?${AUTHZ}`,
    );
    expect(first.json.value).toHaveLength(20);
    expect(first.json.nextLink).toMatch(/\$skiptoken=/);
    const unsupported = await emu.api.arm(
      "GET",
      `${sub()}/providers/Microsoft.Authorization/roleAssignments?${AUTHZ}&$filter=${encodeURIComponent("principalId eq 123")}`,
    );
    expect(unsupported.json.error).toEqual({
      code: "UnsupportedQuery",
      message:
        "The filter 'principalId eq 123' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{value}' or assignedTo('{value}')'.",
    });
    const combined = await emu.api.arm(
      "GET",
      `${id.rg}/providers/Microsoft.Authorization/roleAssignments?${AUTHZ}&$filter=${encodeURIComponent(`atScope() and assignedTo('${USER}')`)}`,
    );
    // Only the user's custom-role assignment at the group: not the 25 below it, not the operator's above.
    expect(combined.json.value.map((a: { properties: { scope: string } }) => a.properties.scope)).toEqual([
      id.rg,
    ]);
  });

  it("answers every validation error with ARM's code and message, in ARM's order", async () => {
    const props = { roleDefinitionId: roleId(ROLE.blobReader), principalId: USER };
    const badName = await put(id.rg, "kv-role-assignement3", props);
    expect([badName.status, badName.json.error]).toEqual([
      400,
      {
        code: "InvalidRoleAssignmentId",
        message:
          "The role assignment ID 'kv-role-assignement3' is not valid. The role assignment ID must be a GUID.",
      },
    ]);
    const name = "2f826ae1-1728-4c63-bbb7-a8a150a5a52d";
    const badPrincipal = await put(id.rg, name, { ...props, principalId: "User" });
    expect([badPrincipal.status, badPrincipal.json.error]).toEqual([
      400,
      {
        code: "InvalidPrincipalId",
        message: "The Principal ID 'User' is not valid. Principal ID must be a GUID.",
      },
    ]);
    const badRole = await put(id.rg, name, { ...props, roleDefinitionId: roleId(NEVER) });
    expect([badRole.status, badRole.json.error.code]).toEqual([400, "RoleDefinitionDoesNotExist"]);
    expect(badRole.json.error.message).toBe(
      `The specified role definition with ID '${NEVER}' does not exist.`,
    );

    const created = await put(id.rg, name, props);
    expect(created.status).toBe(201);
    expect(created.json.properties).toMatchObject({
      principalType: "User",
      scope: id.rg,
      createdBy: expect.any(String),
    });
    const again = await put(id.rg, name, props);
    expect([again.status, again.json.name]).toEqual([201, name]);
    const changed = await put(id.rg, name, { ...props, roleDefinitionId: roleId(ROLE.reader) });
    expect([changed.status, changed.json.error]).toEqual([
      400,
      {
        code: "RoleAssignmentUpdateNotPermitted",
        message: "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
      },
    ]);
    const duplicate = await put(id.rg, "3a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", props);
    expect([duplicate.status, duplicate.json.error]).toEqual([
      409,
      {
        code: "RoleAssignmentExists",
        message:
          "The role assignment already exists. The ID of the existing role assignment is 2f826ae117284c63bbb7a8a150a5a52d.",
      },
    ]);
    const expectedNotFound = {
      code: "PrincipalNotFound",
      message: `Principal 11111111222243338444555555555555 does not exist in the directory ${emu.handle.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    };
    // Without principalType only; with it, an unknown principal is accepted (principal-types.test.ts).
    const never = await put(id.rg, "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", { ...props, principalId: NEVER });
    expect([never.status, never.json.error]).toEqual([400, expectedNotFound]);
  });

  it("checks the scope: unknown group or known-type resource 404, unknown types and sub-resources pass", async () => {
    const props = { roleDefinitionId: roleId(ROLE.reader), principalId: USER };
    const group = await put(`${sub()}/resourceGroups/nope`, "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", props);
    expect([group.status, group.json.error]).toEqual([
      404,
      { code: "ResourceGroupNotFound", message: "Resource group 'nope' could not be found." },
    ]);
    const site = await put(id.site("nope"), "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", props);
    expect([site.status, site.json.error.code]).toEqual([404, "ResourceNotFound"]);
    const vault = `${id.rg}/providers/Microsoft.KeyVault/vaults/kv1`;
    expect((await put(vault, "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", props)).status).toBe(201);
    expect((await put(container(), "7a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", props)).status).toBe(201);
    const missingAccount = await put(
      `${id.storage("nostorage")}/blobServices/default/containers/c1`,
      "8a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
      props,
    );
    expect(missingAccount.json.error.code).toBe("ResourceNotFound");
  });

  it("a new system identity is PrincipalNotFound until replicated, unless principalType is set", async () => {
    const patched = await emu.api.arm("PATCH", `${id.site("msdocs-func")}?${WEB}`, {
      identity: { type: "SystemAssigned, UserAssigned" },
    });
    const principalId = patched.json.identity.principalId as string;
    const props = { roleDefinitionId: roleId(ROLE.queueSender), principalId };
    const early = await put(id.storage("msdocsstorage"), "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e", props);
    expect([early.status, early.json.error.code]).toEqual([400, "PrincipalNotFound"]);
    expect(early.json.error.message).toContain(`Principal ${principalId.replaceAll("-", "")} does not exist`);
    const typed = await put(id.storage("msdocsstorage"), "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e", {
      ...props,
      principalType: "ServicePrincipal",
    });
    expect(typed.status).toBe(201);
    await emu.api.control("POST", "clock/advance", { ms: 400 });
    const later = await put(id.storage("msdocsstorage"), "0c9d8e7f-6a5b-4c4d-8e3f-2a1b0c9d8e7f", {
      ...props,
      roleDefinitionId: roleId(ROLE.blobReader),
    });
    expect([later.status, later.json.properties?.principalType]).toEqual([201, "ServicePrincipal"]);
    const state = (await emu.api.control("GET", "state")).json;
    expect(state.directory).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ principalId, type: "ServicePrincipal", replicated: true }),
      ]),
    );
  });

  it("assignments made through the API authorize at once; a 429 fault applies to these routes", async () => {
    const token = (await emu.api.control("POST", "token", { resourceId: id.site("msdocs-web") })).json
      .access_token;
    expect((await emu.api.arm("GET", `${id.site("msdocs-web")}?${WEB}`, undefined, token)).status).toBe(403);
    const granted = await put(id.site("msdocs-web"), "1d0e9f8a-7b6c-4d5e-8f4a-3b2c1d0e9f8a", {
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLE.reader}`,
      principalId: SITE_PRINCIPAL,
    });
    // Sent in the tenant form; answered in the form of the subscription the PUT was made under.
    expect(granted.json.properties.roleDefinitionId).toBe(roleId(ROLE.reader));
    expect((await emu.api.arm("GET", `${id.site("msdocs-web")}?${WEB}`, undefined, token)).status).toBe(200);

    await emu.api.control("POST", "faults", {
      match: { path: "/providers/Microsoft.Authorization/roleAssignments" },
      fault: { type: "status", status: 429 },
    });
    const throttled = await emu.api.arm(
      "GET",
      `${sub()}/providers/Microsoft.Authorization/roleAssignments?${AUTHZ}`,
    );
    expect([throttled.status, throttled.headers["retry-after"], throttled.json.error.code]).toEqual([
      429,
      "1",
      "SubscriptionRequestsThrottled",
    ]);
  });

  it("names the role in the form of the request's subscription, the tenant form at / (ARM's roleDefinitionId)", async () => {
    const name = "4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e";
    const tenantForm = `/providers/Microsoft.Authorization/roleDefinitions/${ROLE.reader}`;
    for (const sent of [tenantForm, roleId(ROLE.reader).toUpperCase()]) {
      const r = await put(id.rg, name, { roleDefinitionId: sent, principalId: USER, principalType: "User" });
      expect([r.status, r.json.properties.roleDefinitionId]).toEqual([201, roleId(ROLE.reader)]);
    }
    const got = await emu.api.arm("GET", assignmentPath(id.rg, name));
    expect(got.json.properties.roleDefinitionId).toBe(roleId(ROLE.reader));
    // The operator's Reader at "/": listed under the subscription it is in the subscription form
    // (Azure/azure-cli#27509), listed at "/" in the tenant form.
    const readerAtRoot = (value: { properties: { scope: string; roleDefinitionId: string } }[]) =>
      value.find((a) => a.properties.scope === "/" && a.properties.roleDefinitionId.endsWith(ROLE.reader))
        ?.properties.roleDefinitionId;
    const bySub = await emu.api.arm(
      "GET",
      `${sub()}/providers/Microsoft.Authorization/roleAssignments?${AUTHZ}&$filter=atScope()`,
    );
    expect(readerAtRoot(bySub.json.value)).toBe(roleId(ROLE.reader));
    const atRoot = await emu.api.arm(
      "GET",
      `/providers/Microsoft.Authorization/roleAssignments?${AUTHZ}&$filter=atScope()`,
    );
    expect(readerAtRoot(atRoot.json.value)).toBe(tenantForm);
  });

  it("api-version 2015-07-01 may not assign a role with DataActions: 400 as ARM words it", async () => {
    const at = (v: string, name: string, role: string) =>
      emu.api.arm(
        "PUT",
        `${id.rg}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=${v}`,
        { properties: { roleDefinitionId: roleId(role), principalId: USER, principalType: "User" } },
      );
    const refused = await at("2015-07-01", "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f", ROLE.blobReader);
    expect([refused.status, refused.json.error]).toEqual([
      400,
      {
        code: "UnsupportedApiVersionForRoleDefinitionHasDataActions",
        message:
          "Assignments to roles with DataActions and NotDataActions are not supported on API version '2015-07-01'. The minimum required API version for this operations is '2018-01-01-preview'.",
      },
    ]);
    expect((await at("2015-07-01", "6d7e8f9a-0b1c-4d2e-8f3a-4b5c6d7e8f9a", ROLE.reader)).status).toBe(201);
    expect(
      (await at("2018-01-01-preview", "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f", ROLE.blobReader)).status,
    ).toBe(201);
  });

  it("a %2F-encoded scope is refused, never decoded into a scope (pulumi/pulumi-azure-native#3637)", async () => {
    const props = {
      properties: { roleDefinitionId: roleId(ROLE.reader), principalId: USER, principalType: "User" },
    };
    const name = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b";
    const encode = (scope: string) => scope.slice(1).replaceAll("/", "%2F");
    const whole = await emu.api.arm(
      "PUT",
      `/${encode(id.rg)}/providers/Microsoft.Authorization/roleAssignments/${name}?${AUTHZ}`,
      props,
    );
    expect([whole.status, whole.json.error]).toEqual([
      400,
      {
        code: "MissingSubscription",
        message: "The request did not have a subscription or a valid tenant level resource provider.",
      },
    ]);
    const inner = `${sub()}/resourceGroups%2f${RG}`;
    const partly = await emu.api.arm(
      "GET",
      `${inner}/providers/Microsoft.Authorization/roleDefinitions?${AUTHZ}`,
    );
    expect([partly.status, partly.json.error]).toEqual([
      400,
      { code: "InvalidScope", message: `The scope '${inner}' is not valid.` },
    ]);
    expect((await emu.api.control("GET", "state")).json.roleAssignments).not.toContainEqual(
      expect.objectContaining({ name }),
    );
  });

  it("the world's custom role is assignable by name and shows in the state", async () => {
    const state = (await emu.api.control("GET", "state")).json;
    const custom = state.roleAssignments.find((a: { principalId: string }) => a.principalId === USER);
    expect(custom).toMatchObject({
      roleDefinitionName: "Site Identity Operator",
      roleDefinitionId: roleId(CUSTOM_ROLE),
      principalType: "User",
    });
    const reassigned = await put(id.rg, "2e1f0a9b-8c7d-4e6f-8a5b-4c3d2e1f0a9b", {
      roleDefinitionId: roleId(CUSTOM_ROLE),
      principalId: USER,
    });
    expect(reassigned.json.error.code).toBe("RoleAssignmentExists");
    expect(() =>
      validateWorld({
        ...world(),
        roleDefinitions: [{ roleName: "Owner", actions: [], assignableScopes: ["/"] }],
      }),
    ).toThrow(/roleDefinitions\[0\]\.roleName: expected a role name not already in use/);
  });
});

describe("callers without Microsoft.Authorization write", () => {
  let limited: EmulatorHandle;
  let lapi: ReturnType<typeof client>;
  beforeAll(async () => {
    const w = structuredClone(DEFAULT_WORLD);
    const first = w.roleAssignments[0];
    if (first) first.roleDefinitionName = "Contributor";
    w.roleAssignments.push({
      principalId: USER,
      roleDefinitionName: "Reader",
      scope: "/subscriptions/{subscriptionId}",
    });
    w.principals = [{ principalId: USER, type: "User" }];
    limited = await startEmulator({ blob: false, seed: w, replicationDelayMs: 0 });
    lapi = client(limited);
  });
  afterAll(() => limited.close());

  it("a Contributor gets ARM's 403 naming the action and the full assignment ID, but can PATCH sites", async () => {
    const lid = ids(limited);
    const scope = lid.storage("msdocsstorage");
    const name = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
    const denied = await lapi.arm("PUT", assignmentPath(scope, name), {
      properties: {
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLE.blobReader}`,
        principalId: USER,
      },
    });
    const oid = (await lapi.control("GET", "state")).json.operator.principalId;
    expect([denied.status, denied.json.error]).toEqual([
      403,
      {
        code: "AuthorizationFailed",
        message: `The client '${oid}' with object id '${oid}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '${scope}/providers/Microsoft.Authorization/roleAssignments/${name}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    ]);
    const readerOfUser = (await lapi.control("GET", "state")).json.roleAssignments[1];
    const del = await lapi.arm("DELETE", assignmentPath(readerOfUser.scope, readerOfUser.name));
    expect(del.json.error.message).toContain("'Microsoft.Authorization/roleAssignments/delete'");
    const list = await lapi.arm(
      "GET",
      `/subscriptions/${limited.subscriptionId}/providers/Microsoft.Authorization/roleAssignments?${AUTHZ}`,
    );
    expect(list.status).toBe(200);
    const patched = await lapi.arm("PATCH", `${lid.site("msdocs-web")}?${WEB}`, {
      identity: { type: "SystemAssigned" },
    });
    expect(patched.status).toBe(200);
  });
});
