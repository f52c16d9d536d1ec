import { createHash, randomUUID } from "node:crypto";
import { addPrincipal, type Directory, type Principal, type PrincipalType } from "./rbac/directory.js";
import { findRole, type RoleDefinition } from "./rbac/roles.js";
import type { World, WorldIdentity, WorldResource } from "./world.js";

export interface SystemIdentity {
  principalId: string;
  clientId: string;
}

export interface IdentityState {
  system?: SystemIdentity;
  /** Lower-cased resource IDs of attached user-assigned identities. */
  user: string[];
}

export interface Resource {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
}

export interface Site extends Resource {
  kind: string;
  identity: IdentityState;
  lastModifiedTimeUtc: string;
  /** The app settings dictionary (config/appsettings), which App Service gives the app as variables. */
  appSettings: Record<string, string>;
}

/** A deployment slot: a site of its own (identity, token endpoint) under its app; `name` is the slot's. */
export interface Slot extends Site {
  /** The app's (the site's) name. */
  app: string;
}

export interface Vm extends Resource {
  vmId: string;
  osType: string;
  vmSize: string;
  timeCreated: string;
  provisioningState: string;
  identity: IdentityState;
  currentOperation?: string;
  /** Goes up on every write; rendered as the body `etag` ("\"1\"" when never written). */
  version: number;
}

/** One entry of a container's `env`: a value, or a reference to one of the app's secrets. */
export interface ContainerEnvVar {
  name: string;
  value?: string;
  secretRef?: string;
}

/** A container of a container app's template, as ARM holds it (fields the emulator does not model kept as sent). */
export interface AppContainer extends Record<string, unknown> {
  name: string;
  image: string;
  env?: ContainerEnvVar[];
}

/** A Microsoft.App container app: identity, template containers and the revision they make. */
export interface ContainerApp extends Resource {
  identity: IdentityState;
  /** The managed environment's name (`…/managedEnvironments/{name}`) and default domain. */
  environment: string;
  defaultDomain: string;
  containers: AppContainer[];
  /** Goes up with every change of the template: the revision suffix counter. */
  revision: number;
  provisioningState: string;
  currentOperation?: string;
}

export interface Uami extends Resource {
  principalId: string;
  clientId: string;
}

export interface StorageAccount extends Resource {
  /** "Disabled": the blob gate answers 403 AuthorizationFailure (the firewall). */
  publicNetworkAccess: "Enabled" | "Disabled";
}

export interface ResourceGroup {
  id: string;
  subscriptionId: string;
  name: string;
  location: string;
}

export interface RoleAssignment {
  name: string;
  principalId: string;
  principalType: PrincipalType | "ForeignGroup" | "Device" | "Unknown";
  /** As the client sent it: tenant form or subscription form. */
  roleDefinitionId: string;
  scope: string;
  description: string | null;
  condition: string | null;
  conditionVersion: string | null;
  createdOn: string;
  updatedOn: string;
  createdBy: string | null;
  updatedBy: string | null;
  /** Epoch ms from which the blob data plane honours the assignment (creation + dataPlaneDelayMs). */
  dataPlaneAt: number;
}

export interface Operation {
  id: string;
  /** The lower-cased ID of the resource the operation changes (a VM, or a container app). */
  vmKey: string;
  startTime: string;
  settleAt: number;
  fail: boolean;
  previousIdentity: IdentityState;
  /** Container apps: the template's containers before the PATCH, put back when it fails. */
  previousContainers?: AppContainer[];
  status: "InProgress" | "Succeeded" | "Failed";
  endTime?: string;
}

export interface Operator {
  principalId: string;
  clientId: string;
  resourceId: string;
  /** Microsoft Graph application permissions (app roles) granted to the operator. */
  graphPermissions: string[];
}

/** A federated identity credential of a user-assigned identity (…/federatedIdentityCredentials/{name}). */
export interface FederatedCredential {
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

export interface StateOptions {
  /** How long a principal created at run time stays unknown to ARM's directory lookup. */
  replicationDelayMs: number;
  /** Items per page of role definition and role assignment lists. */
  pageSize: number;
  /** How long a new role assignment takes to reach the blob data plane. */
  dataPlaneDelayMs: number;
}

export const DEFAULT_STATE_OPTIONS: StateOptions = {
  replicationDelayMs: 0,
  pageSize: 20,
  dataPlaneDelayMs: 0,
};

export interface State {
  options: StateOptions;
  tenantId: string;
  subscriptions: { subscriptionId: string; displayName: string }[];
  operator: Operator;
  resourceGroups: Record<string, ResourceGroup>;
  sites: Record<string, Site>;
  /** Deployment slots, keyed by their lower-cased ID `…/sites/{app}/slots/{slot}`. */
  slots: Record<string, Slot>;
  vms: Record<string, Vm>;
  /** Microsoft.App container apps, keyed by their lower-cased ID. */
  containerApps: Record<string, ContainerApp>;
  storageAccounts: Record<string, StorageAccount>;
  userAssignedIdentities: Record<string, Uami>;
  /** Federated identity credentials, by the lower-cased ID of the user-assigned identity they belong to. */
  federatedCredentials: Record<string, FederatedCredential[]>;
  roleAssignments: RoleAssignment[];
  customRoles: RoleDefinition[];
  directory: Directory;
  operations: Record<string, Operation>;
}

export function resourceId(sub: string, rg: string, provider: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/${provider}/${name}`;
}

export function groupId(sub: string, rg: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}`;
}

function base(
  world: World,
  r: WorldResource,
  provider: string,
  groups: Record<string, ResourceGroup>,
): Resource {
  const sub = r.subscriptionId ?? world.subscriptions[0]?.subscriptionId ?? "";
  const group = groups[groupId(sub, r.resourceGroup).toLowerCase()];
  if (!group)
    throw new Error(`invalid world: resource group '${r.resourceGroup}' is not in subscription ${sub}`);
  return {
    id: resourceId(sub, group.name, provider, r.name),
    subscriptionId: sub,
    resourceGroup: group.name,
    name: r.name,
    location: r.location ?? group.location,
  };
}

export function newSystemIdentity(): SystemIdentity {
  return { principalId: randomUUID(), clientId: randomUUID() };
}

function identityFrom(w: WorldIdentity | undefined, uamis: Record<string, Uami>): IdentityState {
  if (!w || w.type === "None") return { user: [] };
  const user = (w.userAssignedIdentities ?? []).map((ref) => {
    const name = (ref.split("/").pop() ?? "").toLowerCase();
    const found = Object.values(uamis).find((u) => u.name.toLowerCase() === name);
    if (!found) throw new Error(`invalid world: user-assigned identity '${ref}' is not defined`);
    return found.id.toLowerCase();
  });
  const system = w.type.startsWith("SystemAssigned")
    ? { principalId: w.principalId ?? randomUUID(), clientId: w.clientId ?? randomUUID() }
    : undefined;
  return system ? { system, user } : { user };
}

function groupLocation(world: World, name: string): string {
  return world.resourceGroups.find((g) => g.name.toLowerCase() === name.toLowerCase())?.location ?? "eastus";
}

function byKey<T extends { id: string }>(items: T[]): Record<string, T> {
  return Object.fromEntries(items.map((i) => [i.id.toLowerCase(), i]));
}

/** A custom role without a fixed name gets a GUID derived from its role name, stable across resets. */
export function stableGuid(seed: string): string {
  const h = createHash("sha1").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function customRoles(world: World, firstSub: string, now: string): RoleDefinition[] {
  return (world.roleDefinitions ?? []).map((r) => ({
    name: (r.name ?? stableGuid(`custom-role:${r.roleName}`)).toLowerCase(),
    roleName: r.roleName,
    type: "CustomRole",
    description: r.description ?? "",
    assignableScopes: r.assignableScopes.map((s) => s.replaceAll("{subscriptionId}", firstSub)),
    permissions: [
      {
        actions: r.actions,
        notActions: r.notActions ?? [],
        dataActions: r.dataActions ?? [],
        notDataActions: r.notDataActions ?? [],
      },
    ],
    createdOn: now,
    updatedOn: now,
  }));
}

function buildDirectory(world: World, uamis: Uami[], hosts: (Site | Vm | ContainerApp)[]): Directory {
  const directory: Directory = {};
  const known = (principalId: string, type: PrincipalType, more: Partial<Principal>) =>
    addPrincipal(directory, { principalId, type, ...more, knownAt: 0 });
  // A managed identity's service principal: its appId is the identity's client ID, its display name
  // the identity's (or the resource's) name.
  known(world.operator.principalId, "ServicePrincipal", {
    displayName: "miauth-operator",
    appId: world.operator.clientId,
  });
  for (const u of uamis) known(u.principalId, "ServicePrincipal", { displayName: u.name, appId: u.clientId });
  for (const h of hosts) {
    const s = h.identity.system;
    if (s) known(s.principalId, "ServicePrincipal", { displayName: h.name, appId: s.clientId });
  }
  for (const p of world.principals ?? [])
    known(p.principalId, p.type, {
      displayName: p.displayName,
      userPrincipalName: p.userPrincipalName,
      appId: p.appId,
    });
  return directory;
}

/** Subscription form for assignments under a subscription, tenant form otherwise (what az shows). */
function roleDefinitionIdFor(scope: string, guid: string): string {
  const sub = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
  const tail = `/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  return sub ? `/subscriptions/${sub}${tail}` : tail;
}

export function buildState(world: World, options: Partial<StateOptions> = {}): State {
  const firstSub = world.subscriptions[0]?.subscriptionId ?? "";
  const resourceGroups = byKey(
    world.resourceGroups.map((g) => {
      const sub = g.subscriptionId ?? firstSub;
      return { id: groupId(sub, g.name), subscriptionId: sub, name: g.name, location: g.location };
    }),
  );
  const uamis = byKey(
    (world.userAssignedIdentities ?? []).map((u) => ({
      ...base(world, u, "Microsoft.ManagedIdentity/userAssignedIdentities", resourceGroups),
      principalId: u.principalId,
      clientId: u.clientId,
    })),
  );
  const now = new Date().toISOString();
  const siteList = (world.sites ?? []).map(
    (s): Site => ({
      ...base(world, s, "Microsoft.Web/sites", resourceGroups),
      kind: s.kind ?? "app",
      identity: identityFrom(s.identity, uamis),
      lastModifiedTimeUtc: now,
      appSettings: { ...(s.appSettings ?? {}) },
    }),
  );
  const sites = byKey(siteList);
  const slots = byKey(
    (world.sites ?? []).flatMap((s, i) =>
      (s.slots ?? []).map(
        (slot): Slot => ({
          ...(siteList[i] as Site),
          id: `${siteList[i]?.id}/slots/${slot.name}`,
          name: slot.name,
          app: s.name,
          identity: identityFrom(slot.identity, uamis),
          // A slot's settings are its own (**guess**: a slot made without cloning starts with none).
          appSettings: { ...(slot.appSettings ?? {}) },
        }),
      ),
    ),
  );
  const vms = byKey(
    (world.virtualMachines ?? []).map((v) => ({
      ...base(world, v, "Microsoft.Compute/virtualMachines", resourceGroups),
      vmId: randomUUID(),
      osType: v.osType ?? "Linux",
      vmSize: v.vmSize ?? "Standard_B1s",
      timeCreated: now,
      provisioningState: "Succeeded",
      identity: identityFrom(v.identity, uamis),
      version: 1,
    })),
  );
  const containerApps = byKey(
    (world.containerApps ?? []).map(
      (a): ContainerApp => ({
        ...base(world, a, "Microsoft.App/containerApps", resourceGroups),
        identity: identityFrom(a.identity, uamis),
        environment: a.environment ?? `${a.resourceGroup}-env`,
        // <env>-<hash>.<region>.azurecontainerapps.io; the hash is derived here (**guess** at its form).
        defaultDomain: `${(a.environment ?? `${a.resourceGroup}-env`).toLowerCase()}-${stableGuid(a.name).slice(0, 8)}.${a.location ?? groupLocation(world, a.resourceGroup)}.azurecontainerapps.io`,
        containers: (
          a.containers ?? [{ name: a.name, image: "mcr.microsoft.com/k8se/quickstart:latest" }]
        ).map((c) => structuredClone(c) as AppContainer),
        revision: 1,
        provisioningState: "Succeeded",
      }),
    ),
  );
  const storageAccounts = byKey(
    (world.storageAccounts ?? []).map((s) => ({
      ...base(world, s, "Microsoft.Storage/storageAccounts", resourceGroups),
      publicNetworkAccess: s.publicNetworkAccess ?? "Enabled",
    })),
  );
  const custom = customRoles(world, firstSub, now);
  const directory = buildDirectory(world, Object.values(uamis), [
    ...Object.values(sites),
    ...Object.values(slots),
    ...Object.values(vms),
    ...Object.values(containerApps),
  ]);
  const roleAssignments = world.roleAssignments.map((a): RoleAssignment => {
    const scope = a.scope.replaceAll("{subscriptionId}", firstSub);
    const guid = findRole(custom, a.roleDefinitionName ?? a.roleDefinitionId ?? "")?.name ?? "";
    return {
      name: (a.name ?? stableGuid(`assignment:${a.principalId}:${guid}:${scope}`)).toLowerCase(),
      principalId: a.principalId.toLowerCase(),
      principalType: directory[a.principalId.toLowerCase()]?.type ?? "ServicePrincipal",
      roleDefinitionId: roleDefinitionIdFor(scope, guid),
      scope,
      description: null,
      condition: null,
      conditionVersion: null,
      createdOn: now,
      updatedOn: now,
      createdBy: null,
      updatedBy: null,
      dataPlaneAt: 0,
    };
  });
  return {
    options: { ...DEFAULT_STATE_OPTIONS, ...options },
    tenantId: world.tenantId,
    subscriptions: world.subscriptions.map((s) => ({ ...s })),
    operator: {
      principalId: world.operator.principalId,
      clientId: world.operator.clientId,
      resourceId:
        world.operator.resourceId ??
        `/subscriptions/${firstSub}/resourcegroups/miauth-operator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/operator`,
      graphPermissions: world.operator.graphPermissions ?? ["User.Read.All", "Application.Read.All"],
    },
    resourceGroups,
    sites,
    slots,
    vms,
    containerApps,
    storageAccounts,
    userAssignedIdentities: uamis,
    federatedCredentials: {},
    roleAssignments,
    customRoles: custom,
    directory,
    operations: {},
  };
}

/** A storage account by name (names are global in Azure, so unique in a world). */
export function storageAccountNamed(state: State, name: string): StorageAccount | undefined {
  return Object.values(state.storageAccounts).find((a) => a.name === name);
}

/** Resources that have a managed identity endpoint of their own (system identity and attached ones). */
export function identityHost(state: State, key: string): Site | Vm | ContainerApp | undefined {
  return state.sites[key] ?? state.slots[key] ?? state.vms[key] ?? state.containerApps[key];
}

/** Start-up settings the handlers read; baseUrl is filled in once the server listens. */
export interface Settings {
  baseUrl: string;
  lroDelayMs: number;
  retryAfterSeconds: number;
  tokenLifetimeSeconds: number;
  identityHeader: string;
  /** The blob gate, https://127.0.0.1:PORT, once the blob plane runs: storage accounts' primaryEndpoints.blob. */
  blobGateUrl?: string;
  /** An account's containers as the blob plane holds them, once it runs (ARM's blobContainers read them). */
  blobContainers?: (account: string) => Promise<string[]>;
}
