import { readFileSync } from "node:fs";
import * as v from "valibot";
import { PRINCIPAL_TYPES } from "./rbac/directory.js";
import { BUILTIN_ROLES } from "./rbac/roles.js";
import { object, parseWith, plainObject } from "./schema.js";

// The world file (`--seed`): its schema, the types read from it, the built-in world, and validation.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDENTITY_TYPES = ["None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"] as const;
const SITE_KINDS = ["app", "app,linux", "functionapp", "functionapp,linux", "app,linux,container"] as const;
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const SLOT_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,57}[a-zA-Z0-9])?$/;

// Messages say what was expected; validateWorld adds the path and what it got.
const guid = v.message(v.pipe(v.string(), v.regex(GUID)), "a GUID");
const text = v.message(v.pipe(v.string(), v.nonEmpty()), "a non-empty string");
const scope = v.pipe(text, v.startsWith("/", "a scope starting with /"));
const strings = v.custom<string[]>(
  (x) => Array.isArray(x) && x.every((s) => typeof s === "string" && s !== ""),
  "an array of non-empty strings",
);
const listOf = <E extends v.ObjectEntries>(entries: E) => v.array(object(entries, "an object"), "an array");
const quoted = (options: readonly string[]) => options.map((o) => `"${o}"`);

const placed = {
  name: text,
  resourceGroup: text,
  location: v.optional(text),
  subscriptionId: v.optional(v.string("the ID of a subscriptions entry")),
};
const identity = v.optional(
  object(
    {
      type: v.picklist(IDENTITY_TYPES, `one of ${quoted(IDENTITY_TYPES).join(", ")}`),
      principalId: v.optional(guid),
      clientId: v.optional(guid),
      /** Names of userAssignedIdentities in this world, or full resource IDs. */
      userAssignedIdentities: v.optional(
        v.array(v.string("the name of a userAssignedIdentities entry"), "an array of identity names"),
      ),
    },
    "an object",
  ),
);
const storageAccount = {
  ...placed,
  name: v.pipe(text, v.regex(/^[a-z0-9]{3,24}$/, "3-24 lower-case letters and digits")),
  /** "Disabled" firewalls the blob data plane: every request gets 403 AuthorizationFailure. */
  publicNetworkAccess: v.optional(v.picklist(["Enabled", "Disabled"], '"Enabled" or "Disabled"')),
  /** Containers created in Azurite at start and after every reset. */
  containers: v.optional(
    v.pipe(
      strings,
      v.array(v.pipe(v.string(), v.regex(CONTAINER_NAME, "a container name (3-63 a-z, 0-9, -)"))),
    ),
  ),
  /** "container/blob name" -> text content, created with the containers. */
  blobs: v.optional(
    v.pipe(plainObject('an object {"container/blob": "text"}'), v.record(v.string(), v.string("a string"))),
  ),
};
const roleDefinition = {
  /** Default: a GUID derived from roleName. */
  name: v.optional(guid),
  roleName: text,
  description: v.optional(text),
  actions: strings,
  notActions: v.optional(strings),
  dataActions: v.optional(strings),
  notDataActions: v.optional(strings),
  /** "{subscriptionId}" is replaced by the first subscription's ID. */
  assignableScopes: v.pipe(strings, v.minLength(1, "at least one scope"), v.array(scope)),
};
const roleAssignment = v.pipe(
  object(
    {
      principalId: guid,
      name: v.optional(guid),
      /** "{subscriptionId}" is replaced by the first subscription's ID. */
      scope,
      roleDefinitionName: v.optional(text),
      roleDefinitionId: v.optional(text),
    },
    "an object",
  ),
  v.check(
    (a) => (a.roleDefinitionName ?? a.roleDefinitionId) !== undefined,
    "roleDefinitionName or roleDefinitionId",
  ),
);

const worldSchema = object(
  {
    tenantId: guid,
    subscriptions: v.pipe(
      listOf({ subscriptionId: guid, displayName: text }),
      v.minLength(1, "at least one subscription"),
    ),
    operator: object(
      {
        principalId: guid,
        clientId: guid,
        resourceId: v.optional(text),
        /** Microsoft Graph application permissions; default User.Read.All and Application.Read.All. */
        graphPermissions: v.optional(v.array(text, "an array of permission names")),
      },
      "an object with principalId and clientId",
    ),
    resourceGroups: listOf({ name: text, location: text, subscriptionId: placed.subscriptionId }),
    userAssignedIdentities: v.optional(listOf({ ...placed, principalId: guid, clientId: guid })),
    sites: v.optional(
      listOf({
        ...placed,
        kind: v.optional(v.picklist(SITE_KINDS, `one of ${SITE_KINDS.join(" | ")}`)),
        identity,
        /** Deployment slots (`…/sites/{name}/slots/{slot}`): the site's kind, an identity of their own. */
        slots: v.optional(
          listOf({
            name: v.pipe(text, v.regex(SLOT_NAME, "a slot name (1-59 letters, digits, -)")),
            identity,
            appSettings: v.optional(v.record(v.string(), v.string("a string"), "an object of strings")),
          }),
        ),
        /** The app settings (config/appsettings): names to string values. */
        appSettings: v.optional(v.record(v.string(), v.string("a string"), "an object of strings")),
      }),
    ),
    virtualMachines: v.optional(
      listOf({
        ...placed,
        osType: v.optional(v.picklist(["Linux", "Windows"], '"Linux" or "Windows"')),
        vmSize: v.optional(text),
        identity,
      }),
    ),
    /** Microsoft.App container apps: identity, and the template's containers with their env. */
    containerApps: v.optional(
      listOf({
        ...placed,
        /** The managed environment's name; default "{resourceGroup}-env". */
        environment: v.optional(text),
        identity,
        /** Default: one container named after the app, with no env. */
        containers: v.optional(
          listOf({
            name: text,
            image: text,
            env: v.optional(
              listOf({ name: text, value: v.optional(v.string()), secretRef: v.optional(text) }),
            ),
          }),
        ),
      }),
    ),
    storageAccounts: v.optional(listOf(storageAccount)),
    roleDefinitions: v.optional(listOf(roleDefinition)),
    /** Users, groups and service principals of the directory, besides the identities the world defines. */
    principals: v.optional(
      listOf({
        principalId: guid,
        type: v.picklist(PRINCIPAL_TYPES, quoted(PRINCIPAL_TYPES).join(" | ")),
        displayName: v.optional(text),
        /** Users: their user principal name (Microsoft Graph /users/{upn}). */
        userPrincipalName: v.optional(v.pipe(text, v.includes("@", "a UPN (with an @)"))),
        /** Service principals: the application (client) ID. */
        appId: v.optional(guid),
      }),
    ),
    roleAssignments: v.array(roleAssignment, "an array"),
  },
  "a JSON object",
);

export type World = v.InferOutput<typeof worldSchema>;
type Item<T> = NonNullable<T> extends readonly (infer I)[] ? I : never;
export type WorldSite = Item<World["sites"]>;
export type WorldSlot = Item<WorldSite["slots"]>;
export type WorldIdentity = NonNullable<WorldSite["identity"]>;
export type WorldResource = Pick<WorldSite, "name" | "resourceGroup" | "location" | "subscriptionId">;
export type WorldStorageAccount = Item<World["storageAccounts"]>;

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
    {
      resourceGroup: "msdocs-sdk-auth-example",
      name: "msdocs-web",
      kind: "app",
      slots: [{ name: "staging" }],
    },
    {
      resourceGroup: "msdocs-sdk-auth-example",
      name: "msdocs-func",
      kind: "functionapp",
      identity: { type: "UserAssigned", userAssignedIdentities: ["msdocs-uami"] },
    },
  ],
  virtualMachines: [{ resourceGroup: "msdocs-sdk-auth-example", name: "msdocs-vm" }],
  // A container app with no identity yet (issue 13).
  containerApps: [{ resourceGroup: "msdocs-sdk-auth-example", name: "msdocs-aca" }],
  storageAccounts: [
    {
      resourceGroup: "msdocs-sdk-auth-example",
      name: "msdocsstorage",
      containers: ["msdocs-container"],
      blobs: { "msdocs-container/hello.txt": "Hello from msdocs" },
    },
  ],
  // A user and a group for assign-role's principal-type handling (UnmatchedPrincipalType), tests and the demo.
  principals: [
    {
      principalId: "a7c1e3f5-2b4d-4a6c-8e0f-1a3c5e7b9d2f",
      type: "User",
      displayName: "Ada Lovelace",
      userPrincipalName: "ada@msdocs.onmicrosoft.com",
    },
    { principalId: "b8d2f4a6-3c5e-4b7d-9f1a-2b4d6f8a0c3e", type: "Group", displayName: "msdocs-readers" },
    // An app registration's service principal (a CI pipeline), found by appId or display name in Graph.
    {
      principalId: "d9e1f3a5-4c6e-4d8f-a0b2-3c5e7f9a1b4d",
      type: "ServicePrincipal",
      displayName: "msdocs-ci",
      appId: "f0a2b4c6-5d7f-4e9a-b1c3-4d6f8a0b2c5e",
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

function fail(path: string, expected: string, got: unknown): never {
  const shown = got === undefined ? "nothing" : JSON.stringify(got);
  throw new Error(`invalid world: ${path}: expected ${expected}, got ${shown}`);
}

/** Throws an Error with a one-line message naming the field and what was expected. */
export function validateWorld(input: unknown): World {
  const parsed = parseWith(worldSchema, input, "world");
  if (!parsed.ok) return fail(parsed.problem.path, parsed.problem.message, parsed.problem.input);
  checkReferences(parsed.value);
  return parsed.value;
}

/** What the schema cannot see: that names and IDs refer to entries of this world, and are not taken twice. */
function checkReferences(w: World): void {
  const subIds = new Set(w.subscriptions.map((s) => s.subscriptionId.toLowerCase()));
  const groups = new Set(w.resourceGroups.map((g) => g.name.toLowerCase()));
  const uamis = new Set((w.userAssignedIdentities ?? []).map((u) => u.name.toLowerCase()));
  const place = (key: string, list: { subscriptionId?: string; resourceGroup?: string }[] = []) =>
    list.forEach((r, i) => {
      if (r.subscriptionId !== undefined && !subIds.has(r.subscriptionId.toLowerCase()))
        fail(`${key}[${i}].subscriptionId`, "the ID of a subscriptions entry", r.subscriptionId);
      if (r.resourceGroup !== undefined && !groups.has(r.resourceGroup.toLowerCase()))
        fail(`${key}[${i}].resourceGroup`, "the name of a resourceGroups entry", r.resourceGroup);
    });
  place("resourceGroups", w.resourceGroups);
  place("userAssignedIdentities", w.userAssignedIdentities);
  for (const key of ["sites", "virtualMachines", "containerApps"] as const) {
    place(key, w[key]);
    w[key]?.forEach((r, i) => {
      checkIdentity(r.identity, `${key}[${i}].identity`, uamis);
    });
  }
  w.sites?.forEach((site, i) => {
    const names = new Set<string>();
    site.slots?.forEach((slot, j) => {
      const name = slot.name.toLowerCase();
      // "production" is the site itself (App Service reserves the name).
      if (names.has(name) || name === "production")
        fail(`sites[${i}].slots[${j}].name`, "a slot name not already in use", slot.name);
      names.add(name);
      checkIdentity(slot.identity, `sites[${i}].slots[${j}].identity`, uamis);
    });
  });
  place("storageAccounts", w.storageAccounts);
  const accounts = new Set<string>();
  w.storageAccounts?.forEach((s, i) => {
    // Account names are global in Azure: the blob endpoint finds an account by name alone.
    if (accounts.has(s.name)) fail(`storageAccounts[${i}].name`, "a name not already in use", s.name);
    accounts.add(s.name);
    for (const key of Object.keys(s.blobs ?? {})) {
      const container = key.split("/")[0] ?? "";
      if (!s.containers?.includes(container) || key.length <= container.length + 1)
        fail(`storageAccounts[${i}].blobs`, `keys "container/blob" naming one of containers`, key);
    }
  });
  const roleKeys = new Set(BUILTIN_ROLES.flatMap((r) => [r.name, r.roleName.toLowerCase()]));
  w.roleDefinitions?.forEach((r, i) => {
    const roleName = r.roleName.toLowerCase();
    const name = r.name?.toLowerCase();
    if (roleKeys.has(roleName))
      fail(`roleDefinitions[${i}].roleName`, "a role name not already in use", r.roleName);
    if (name && roleKeys.has(name)) fail(`roleDefinitions[${i}].name`, "a GUID not already in use", r.name);
    roleKeys.add(roleName);
    if (name) roleKeys.add(name);
  });
  w.roleAssignments.forEach((a, i) => {
    const role = a.roleDefinitionName ?? a.roleDefinitionId ?? "";
    const key = a.roleDefinitionName !== undefined ? role : (role.split("/").pop() ?? "");
    if (!roleKeys.has(key.toLowerCase()))
      fail(
        `roleAssignments[${i}].roleDefinition`,
        "a built-in role name or ID, or a roleDefinitions entry",
        role,
      );
  });
}

function checkIdentity(identity: WorldIdentity | undefined, path: string, uamis: Set<string>): void {
  if (!identity) return;
  const ua = identity.userAssignedIdentities;
  const userAssigned = identity.type.includes("UserAssigned");
  if (userAssigned && ua === undefined) fail(`${path}.userAssignedIdentities`, "a non-empty array", ua);
  if (!userAssigned && ua?.length)
    fail(`${path}.type`, "a type including UserAssigned when userAssignedIdentities is set", identity.type);
  ua?.forEach((name, i) => {
    if (!uamis.has((name.split("/").pop() ?? "").toLowerCase()))
      fail(`${path}.userAssignedIdentities[${i}]`, "the name of a userAssignedIdentities entry", name);
  });
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
