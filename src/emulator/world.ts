import { readFileSync } from "node:fs";
import { PRINCIPAL_TYPES, type PrincipalType } from "./rbac/directory.js";
import { BUILTIN_ROLES } from "./rbac/roles.js";

export interface WorldIdentity {
  type: string;
  principalId?: string;
  clientId?: string;
  /** Names of userAssignedIdentities in this world, or full resource IDs. */
  userAssignedIdentities?: string[];
}

export interface WorldResource {
  resourceGroup: string;
  name: string;
  location?: string;
  subscriptionId?: string;
}

export interface WorldSite extends WorldResource {
  kind?: string;
  identity?: WorldIdentity;
}

export interface WorldVm extends WorldResource {
  osType?: string;
  vmSize?: string;
  identity?: WorldIdentity;
}

export interface WorldUami extends WorldResource {
  principalId: string;
  clientId: string;
}

export interface WorldStorageAccount extends WorldResource {
  /** "Disabled" firewalls the blob data plane: every request gets 403 AuthorizationFailure. */
  publicNetworkAccess?: "Enabled" | "Disabled";
  /** Containers created in Azurite at start and after every reset. */
  containers?: string[];
  /** "container/blob name" -> text content, created with the containers. */
  blobs?: Record<string, string>;
}

export interface WorldRoleAssignment {
  principalId: string;
  roleDefinitionName?: string;
  roleDefinitionId?: string;
  /** "{subscriptionId}" is replaced by the first subscription's ID. */
  scope: string;
  name?: string;
}

export interface WorldCustomRole {
  /** GUID; default: derived from roleName. */
  name?: string;
  roleName: string;
  description?: string;
  actions: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
  /** "{subscriptionId}" is replaced by the first subscription's ID. */
  assignableScopes: string[];
}

/** Users, groups and service principals of the directory, besides the identities the world defines. */
export interface WorldPrincipal {
  principalId: string;
  type: PrincipalType;
  displayName?: string;
}

export interface World {
  tenantId: string;
  subscriptions: { subscriptionId: string; displayName: string }[];
  operator: { principalId: string; clientId: string; resourceId?: string };
  resourceGroups: { name: string; location: string; subscriptionId?: string }[];
  userAssignedIdentities?: WorldUami[];
  sites?: WorldSite[];
  virtualMachines?: WorldVm[];
  storageAccounts?: WorldStorageAccount[];
  roleAssignments: WorldRoleAssignment[];
  roleDefinitions?: WorldCustomRole[];
  principals?: WorldPrincipal[];
}

export const DEFAULT_WORLD: World = {
  tenantId: "8d3c5a1e-6f2b-4c7d-9e0a-1b2c3d4e5f60",
  subscriptions: [{ subscriptionId: "0b1f6471-1bf0-4dda-aec3-cb9272f09590", displayName: "miauth-emulator" }],
  operator: {
    principalId: "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5",
    clientId: "3a9e7c51-2b4d-4e6f-8a1c-5d7e9f0b2c4d",
  },
  resourceGroups: [{ name: "msdocs-sdk-auth-example", location: "eastus" }],
  userAssignedIdentities: [
    {
      resourceGroup: "msdocs-sdk-auth-example",
      name: "msdocs-uami",
      principalId: "c2f4e6a8-1b3d-4f5a-9c7e-2d4f6a8b0c1e",
      clientId: "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b",
    },
  ],
  sites: [
    { resourceGroup: "msdocs-sdk-auth-example", name: "msdocs-web", kind: "app" },
    {
      resourceGroup: "msdocs-sdk-auth-example",
      name: "msdocs-func",
      kind: "functionapp",
      identity: { type: "UserAssigned", userAssignedIdentities: ["msdocs-uami"] },
    },
  ],
  virtualMachines: [{ resourceGroup: "msdocs-sdk-auth-example", name: "msdocs-vm" }],
  storageAccounts: [
    {
      resourceGroup: "msdocs-sdk-auth-example",
      name: "msdocsstorage",
      containers: ["msdocs-container"],
      blobs: { "msdocs-container/hello.txt": "Hello from msdocs" },
    },
  ],
  roleAssignments: [
    {
      name: "1c3e5a7b-9d2f-4b6a-8c0e-2f4a6c8e0b1d",
      principalId: "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5",
      roleDefinitionName: "Owner",
      scope: "/subscriptions/{subscriptionId}",
    },
  ],
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const IDENTITY_TYPES = ["None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"];
const SITE_KINDS = ["app", "app,linux", "functionapp", "functionapp,linux", "app,linux,container"];

class WorldError extends Error {}

function fail(path: string, expected: string, got: unknown): never {
  const shown = got === undefined ? "nothing" : JSON.stringify(got);
  throw new WorldError(`${path}: expected ${expected}, got ${shown}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(o: Record<string, unknown>, key: string, path: string, optional = false): void {
  const v = o[key];
  if (v === undefined && optional) return;
  if (typeof v !== "string" || v.length === 0) fail(`${path}.${key}`, "a non-empty string", v);
}

function guid(o: Record<string, unknown>, key: string, path: string, optional = false): void {
  const v = o[key];
  if (v === undefined && optional) return;
  if (typeof v !== "string" || !GUID.test(v)) fail(`${path}.${key}`, "a GUID", v);
}

function list(o: Record<string, unknown>, key: string, optional: boolean): Record<string, unknown>[] {
  const v = o[key];
  if (v === undefined && optional) return [];
  if (!Array.isArray(v)) fail(key, "an array", v);
  return v.map((item, i) => {
    if (!isObject(item)) fail(`${key}[${i}]`, "an object", item);
    return item;
  });
}

function checkIdentity(v: unknown, path: string, uamiNames: Set<string>): void {
  if (v === undefined) return;
  if (!isObject(v)) fail(path, "an object", v);
  if (typeof v.type !== "string" || !IDENTITY_TYPES.includes(v.type)) {
    fail(`${path}.type`, `one of ${IDENTITY_TYPES.map((t) => `"${t}"`).join(", ")}`, v.type);
  }
  guid(v, "principalId", path, true);
  guid(v, "clientId", path, true);
  const ua = v.userAssignedIdentities;
  if (ua === undefined) {
    if (v.type.includes("UserAssigned")) fail(`${path}.userAssignedIdentities`, "a non-empty array", ua);
    return;
  }
  if (!Array.isArray(ua)) fail(`${path}.userAssignedIdentities`, "an array of identity names", ua);
  if (!v.type.includes("UserAssigned") && ua.length > 0) {
    fail(`${path}.type`, "a type including UserAssigned when userAssignedIdentities is set", v.type);
  }
  ua.forEach((name, i) => {
    const key = typeof name === "string" ? (name.split("/").pop() ?? "").toLowerCase() : "";
    if (!uamiNames.has(key))
      fail(`${path}.userAssignedIdentities[${i}]`, "the name of a userAssignedIdentities entry", name);
  });
}

/** Throws an Error with a one-line message naming the field and what was expected. */
export function validateWorld(input: unknown): World {
  try {
    if (!isObject(input)) fail("world", "a JSON object", input);
    guid(input, "tenantId", "world");
    const subs = list(input, "subscriptions", false);
    if (subs.length === 0) fail("subscriptions", "at least one subscription", []);
    subs.forEach((s, i) => {
      guid(s, "subscriptionId", `subscriptions[${i}]`);
      str(s, "displayName", `subscriptions[${i}]`);
    });
    const subIds = new Set(subs.map((s) => String(s.subscriptionId).toLowerCase()));
    if (!isObject(input.operator))
      fail("operator", "an object with principalId and clientId", input.operator);
    guid(input.operator, "principalId", "operator");
    guid(input.operator, "clientId", "operator");
    str(input.operator, "resourceId", "operator", true);

    const groups = list(input, "resourceGroups", false);
    const groupNames = new Set<string>();
    groups.forEach((g, i) => {
      str(g, "name", `resourceGroups[${i}]`);
      str(g, "location", `resourceGroups[${i}]`);
      checkSub(g, `resourceGroups[${i}]`, subIds);
      groupNames.add(String(g.name).toLowerCase());
    });

    const checkResource = (key: string, r: Record<string, unknown>, i: number): void => {
      const path = `${key}[${i}]`;
      str(r, "name", path);
      str(r, "resourceGroup", path);
      str(r, "location", path, true);
      checkSub(r, path, subIds);
      if (!groupNames.has(String(r.resourceGroup).toLowerCase())) {
        fail(`${path}.resourceGroup`, "the name of a resourceGroups entry", r.resourceGroup);
      }
    };
    const uamis = list(input, "userAssignedIdentities", true);
    const uamiNames = new Set<string>();
    uamis.forEach((u, i) => {
      checkResource("userAssignedIdentities", u, i);
      guid(u, "principalId", `userAssignedIdentities[${i}]`);
      guid(u, "clientId", `userAssignedIdentities[${i}]`);
      uamiNames.add(String(u.name).toLowerCase());
    });
    list(input, "sites", true).forEach((s, i) => {
      checkResource("sites", s, i);
      if (s.kind !== undefined && (typeof s.kind !== "string" || !SITE_KINDS.includes(s.kind))) {
        fail(`sites[${i}].kind`, `one of ${SITE_KINDS.join(" | ")}`, s.kind);
      }
      checkIdentity(s.identity, `sites[${i}].identity`, uamiNames);
    });
    list(input, "virtualMachines", true).forEach((v, i) => {
      checkResource("virtualMachines", v, i);
      if (v.osType !== undefined && v.osType !== "Linux" && v.osType !== "Windows") {
        fail(`virtualMachines[${i}].osType`, '"Linux" or "Windows"', v.osType);
      }
      str(v, "vmSize", `virtualMachines[${i}]`, true);
      checkIdentity(v.identity, `virtualMachines[${i}].identity`, uamiNames);
    });
    const accountNames = new Set<string>();
    list(input, "storageAccounts", true).forEach((s, i) => {
      checkResource("storageAccounts", s, i);
      if (!/^[a-z0-9]{3,24}$/.test(String(s.name))) {
        fail(`storageAccounts[${i}].name`, "3-24 lower-case letters and digits", s.name);
      }
      // Account names are global in Azure: the blob endpoint finds an account by name alone.
      if (accountNames.has(String(s.name)))
        fail(`storageAccounts[${i}].name`, "a name not already in use", s.name);
      accountNames.add(String(s.name));
      checkStorageContents(s, `storageAccounts[${i}]`);
    });
    const roleKeys = new Set(BUILTIN_ROLES.flatMap((r) => [r.name, r.roleName.toLowerCase()]));
    list(input, "roleDefinitions", true).forEach((r, i) => {
      const path = `roleDefinitions[${i}]`;
      guid(r, "name", path, true);
      str(r, "roleName", path);
      str(r, "description", path, true);
      strings(r, "actions", path, false);
      for (const key of ["notActions", "dataActions", "notDataActions"]) strings(r, key, path, true);
      strings(r, "assignableScopes", path, false);
      const scopes = r.assignableScopes as string[];
      if (scopes.length === 0) fail(`${path}.assignableScopes`, "at least one scope", scopes);
      scopes.forEach((s, j) => {
        if (!s.startsWith("/")) fail(`${path}.assignableScopes[${j}]`, "a scope starting with /", s);
      });
      const roleName = String(r.roleName).toLowerCase();
      const name = typeof r.name === "string" ? r.name.toLowerCase() : undefined;
      if (roleKeys.has(roleName)) fail(`${path}.roleName`, "a role name not already in use", r.roleName);
      if (name && roleKeys.has(name)) fail(`${path}.name`, "a GUID not already in use", r.name);
      roleKeys.add(roleName);
      if (name) roleKeys.add(name);
    });
    list(input, "principals", true).forEach((p, i) => {
      const path = `principals[${i}]`;
      guid(p, "principalId", path);
      if (!PRINCIPAL_TYPES.includes(p.type as PrincipalType)) {
        fail(`${path}.type`, PRINCIPAL_TYPES.map((t) => `"${t}"`).join(" | "), p.type);
      }
      str(p, "displayName", path, true);
    });
    list(input, "roleAssignments", false).forEach((a, i) => {
      const path = `roleAssignments[${i}]`;
      guid(a, "principalId", path);
      guid(a, "name", path, true);
      str(a, "scope", path);
      if (!String(a.scope).startsWith("/")) fail(`${path}.scope`, "a scope starting with /", a.scope);
      if (a.roleDefinitionName === undefined && a.roleDefinitionId === undefined) {
        fail(path, "roleDefinitionName or roleDefinitionId", a);
      }
      str(a, "roleDefinitionName", path, true);
      str(a, "roleDefinitionId", path, true);
      const role = String(a.roleDefinitionName ?? a.roleDefinitionId);
      const key =
        a.roleDefinitionName !== undefined ? role.toLowerCase() : (role.split("/").pop() ?? "").toLowerCase();
      if (!roleKeys.has(key))
        fail(`${path}.roleDefinition`, "a built-in role name or ID, or a roleDefinitions entry", role);
    });
    return input as unknown as World;
  } catch (e) {
    if (e instanceof WorldError) throw new Error(`invalid world: ${e.message}`);
    throw e;
  }
}

const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

function checkStorageContents(s: Record<string, unknown>, path: string): void {
  const access = s.publicNetworkAccess;
  if (access !== undefined && access !== "Enabled" && access !== "Disabled") {
    fail(`${path}.publicNetworkAccess`, '"Enabled" or "Disabled"', access);
  }
  strings(s, "containers", path, true);
  const containers = (s.containers ?? []) as string[];
  containers.forEach((c, j) => {
    if (!CONTAINER_NAME.test(c)) fail(`${path}.containers[${j}]`, "a container name (3-63 a-z, 0-9, -)", c);
  });
  if (s.blobs === undefined) return;
  if (!isObject(s.blobs)) fail(`${path}.blobs`, 'an object {"container/blob": "text"}', s.blobs);
  for (const [key, text] of Object.entries(s.blobs)) {
    const container = key.split("/")[0] ?? "";
    if (!containers.includes(container) || key.length <= container.length + 1) {
      fail(`${path}.blobs`, `keys "container/blob" naming one of containers`, key);
    }
    if (typeof text !== "string") fail(`${path}.blobs["${key}"]`, "a string", text);
  }
}

function strings(o: Record<string, unknown>, key: string, path: string, optional: boolean): void {
  const v = o[key];
  if (v === undefined && optional) return;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) {
    fail(`${path}.${key}`, "an array of non-empty strings", v);
  }
}

function checkSub(o: Record<string, unknown>, path: string, subIds: Set<string>): void {
  if (o.subscriptionId === undefined) return;
  if (typeof o.subscriptionId !== "string" || !subIds.has(o.subscriptionId.toLowerCase())) {
    fail(`${path}.subscriptionId`, "the ID of a subscriptions entry", o.subscriptionId);
  }
}

export function loadWorld(path: string): World {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read world file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`world file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return validateWorld(parsed);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
