// User-assigned managed identities themselves (Microsoft.ManagedIdentity/userAssignedIdentities, through
// @azure/arm-msi): create (idempotent), show, list, delete (refused while attached), and where one is
// attached. Plain functions; the clients come in, results go out.
import { UnexpectedReplyError, UsageError } from "../errors.js";
import { getOne, listAll } from "./arm-list.js";
import { assignmentsOf, type IdentityAssignment } from "./assignments.js";
import type { ArmClients } from "./clients.js";
import { listContainerAppIdentities } from "./container-apps.js";
import { azureErrorCode, httpStatus, translateAzureError } from "./errors.js";
import type { IdentityRef } from "./identity-pick.js";
import { parseResourceId, sameId } from "./ids.js";

export interface UamiRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface Uami {
  id: string;
  name: string;
  resourceGroup: string;
  principalId: string;
  clientId: string;
  tenantId: string;
  location: string;
}

export const UAMI_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";

export function uamiId(ref: UamiRef): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/${UAMI_TYPE}/${ref.name}`;
}

/** An identity as ARM shows it, checked: its own ID, a principal and a client ID. */
export function readUami(item: unknown, expected?: UamiRef): Uami {
  const i = (item ?? {}) as {
    id?: unknown;
    name?: unknown;
    location?: unknown;
    properties?: Record<string, unknown>;
    principalId?: unknown;
    clientId?: unknown;
    tenantId?: unknown;
  };
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  // The SDK flattens `properties`; a raw list reply keeps them nested.
  const prop = (k: "principalId" | "clientId" | "tenantId") => str(i.properties?.[k] ?? i[k]);
  const id = str(i.id);
  let parsed: ReturnType<typeof parseResourceId>;
  try {
    parsed = parseResourceId(id);
  } catch {
    throw unusableIdentity(`its id '${id}' is not a resource ID`);
  }
  if (`${parsed.provider}/${parsed.type}`.toLowerCase() !== UAMI_TYPE.toLowerCase())
    throw unusableIdentity(`its id '${id}' is not a user-assigned identity's`);
  if (expected && !sameId(id, uamiId(expected)))
    throw unusableIdentity(`it is '${id}', not the identity asked for (${uamiId(expected)})`);
  const u: Uami = {
    id,
    name: str(i.name) || parsed.name,
    resourceGroup: parsed.resourceGroup,
    principalId: prop("principalId").toLowerCase(),
    clientId: prop("clientId").toLowerCase(),
    tenantId: prop("tenantId").toLowerCase(),
    location: str(i.location),
  };
  if (!u.principalId || !u.clientId) throw unusableIdentity(`'${id}' has no principalId or clientId`);
  return u;
}

function unusableIdentity(why: string): Error {
  return new UnexpectedReplyError(`ARM's reply for a user-assigned identity is not usable: ${why}`);
}

/** The identity, or undefined when ARM answers 404 for it (a missing group is an error). */
export async function getUami(
  arm: ArmClients,
  ref: UamiRef,
  signal?: AbortSignal,
): Promise<Uami | undefined> {
  return readUamiFrom(arm, ref, signal, true);
}

/** The identity, or a not-found error naming it. */
export async function requireUami(arm: ArmClients, ref: UamiRef, signal?: AbortSignal): Promise<Uami> {
  return (await readUamiFrom(arm, ref, signal, false)) as Uami;
}

/** GET of the identity; `absentIsUndefined`: a 404 for it (not for its group) is undefined, not an error. */
async function readUamiFrom(
  arm: ArmClients,
  ref: UamiRef,
  signal: AbortSignal | undefined,
  absentIsUndefined: boolean,
): Promise<Uami | undefined> {
  const msi = await arm.msi(ref.subscriptionId);
  try {
    return readUami(
      await msi.userAssignedIdentities.get(ref.resourceGroup, ref.name, { abortSignal: signal }),
      ref,
    );
  } catch (err) {
    if (absentIsUndefined && httpStatus(err) === 404 && azureErrorCode(err) !== "ResourceGroupNotFound")
      return undefined;
    throw translateAzureError(err, {
      what: `user-assigned identity '${ref.name}' in resource group '${ref.resourceGroup}'`,
    });
  }
}

/** A user-assigned identity given by ID, or by name with its group (a name without one: `group`). */
export async function resolveUami(
  arm: ArmClients,
  ref: IdentityRef,
  subscriptionId: string,
  signal?: AbortSignal,
): Promise<Uami> {
  const parts =
    "id" in ref
      ? parseResourceId(ref.id)
      : { subscriptionId, resourceGroup: ref.resourceGroup ?? "", name: ref.name };
  if (parts.resourceGroup === "") throw new UsageError(`give the resource group of identity '${parts.name}'`);
  return requireUami(
    arm,
    { subscriptionId: parts.subscriptionId, resourceGroup: parts.resourceGroup, name: parts.name },
    signal,
  );
}

export type CreateResult = Uami & { result: "created" | "unchanged" | "would-create" };

// Resource groups (ResourceGroups_Get): a stable version every cloud serves.
const GROUP_API_VERSION = "2021-04-01";

function sameLocation(a: string, b: string): boolean {
  const norm = (l: string) => l.replace(/\s+/g, "").toLowerCase();
  return norm(a) === norm(b);
}

/**
 * Creates the identity unless it is there. UserAssignedIdentities_CreateOrUpdate is a PUT that answers
 * 201 (created) or 200 (it existed: ARM keeps its principal), so the GET first is what makes a re-run
 * write nothing. An existing identity in another location is an error before any write: ARM refuses to
 * move it (InvalidResourceLocation).
 */
export async function createUami(
  arm: ArmClients,
  ref: UamiRef,
  o: { location?: string; dryRun?: boolean; signal?: AbortSignal },
): Promise<CreateResult> {
  const existing = await getUami(arm, ref, o.signal);
  if (existing) {
    if (o.location !== undefined && !sameLocation(existing.location, o.location)) {
      throw new UsageError(
        `user-assigned identity '${ref.name}' is in location '${existing.location}', not '${o.location}'`,
        { hint: "an identity cannot move: drop --location, or give another name" },
      );
    }
    return { ...existing, result: "unchanged" };
  }
  const location = o.location ?? (await groupLocation(arm, ref, o.signal));
  if (o.dryRun) {
    return {
      id: uamiId(ref),
      name: ref.name,
      resourceGroup: ref.resourceGroup,
      principalId: "",
      clientId: "",
      tenantId: "",
      location,
      result: "would-create",
    };
  }
  const msi = await arm.msi(ref.subscriptionId);
  try {
    const made = await msi.userAssignedIdentities.createOrUpdate(
      ref.resourceGroup,
      ref.name,
      { location },
      { abortSignal: o.signal },
    );
    return { ...readUami(made, ref), result: "created" };
  } catch (err) {
    // A lost or failed reply: look before reporting; an identity that is there now was made by this PUT
    // (or by a concurrent one: either way, it is there as asked).
    const there = await getUami(arm, ref, o.signal).catch(() => undefined);
    if (there && sameLocation(there.location, location)) return { ...there, result: "created" };
    throw translateAzureError(err, {
      what: `user-assigned identity '${ref.name}' in resource group '${ref.resourceGroup}'`,
    });
  }
}

async function groupLocation(arm: ArmClients, ref: UamiRef, signal?: AbortSignal): Promise<string> {
  const group = await getOne(
    arm,
    ref.subscriptionId,
    `/subscriptions/${ref.subscriptionId}/resourcegroups/${ref.resourceGroup}`,
    GROUP_API_VERSION,
    signal,
  );
  if (typeof group.location !== "string" || group.location === "")
    throw new UsageError(
      `resource group '${ref.resourceGroup}' has no location in ARM's reply: give --location`,
    );
  return group.location;
}

export async function listUamis(
  arm: ArmClients,
  subscriptionId: string,
  resourceGroup: string | undefined,
  signal?: AbortSignal,
): Promise<Uami[]> {
  const path =
    resourceGroup === undefined
      ? `/subscriptions/${subscriptionId}/providers/${UAMI_TYPE}`
      : `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${UAMI_TYPE}`;
  const items = await listAll(arm, subscriptionId, path, MSI_API_VERSION, signal);
  return items.map((i) => readUami(i)).sort((a, b) => a.id.localeCompare(b.id));
}

// The version @azure/arm-msi 2.2.0 sends.
const MSI_API_VERSION = "2024-11-30";

/** Where an identity is attached: a resource that lists it in identity.userAssignedIdentities. */
export interface Attachment {
  /** webapp, slot, vm or containerapp. */
  kind: string;
  id: string;
}

/** What each attachment source reads with: the sites list is shared by sites and slots. */
export interface AttachmentLookup {
  arm: ArmClients;
  subscriptionId: string;
  signal?: AbortSignal;
  sites(): Promise<unknown[]>;
}

/**
 * One source of attachments: a list of resources in the subscription that carry `identity`. Sites, their
 * slots, VMs and container apps are here; a new host kind adds one entry to ATTACHMENT_SOURCES.
 */
export interface AttachmentSource {
  kind: string;
  list(l: AttachmentLookup): Promise<unknown[]>;
}

// WebApps_List / WebApps_ListSlots (WebApps.json) and VirtualMachines_ListAll (virtualMachine.json).
const WEB_API_VERSION = "2024-11-01";
const COMPUTE_API_VERSION = "2024-11-01";

export const ATTACHMENT_SOURCES: AttachmentSource[] = [
  { kind: "webapp", list: (l) => l.sites() },
  {
    kind: "slot",
    list: async (l) => {
      const out: unknown[] = [];
      for (const site of await l.sites()) {
        const id = (site as { id?: unknown }).id;
        if (typeof id !== "string") continue;
        const s = parseResourceId(id, "a site's id");
        const path = `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/Microsoft.Web/sites/${s.name}/slots`;
        out.push(...(await listAll(l.arm, l.subscriptionId, path, WEB_API_VERSION, l.signal)));
      }
      return out;
    },
  },
  {
    kind: "vm",
    list: (l) =>
      listAll(
        l.arm,
        l.subscriptionId,
        `/subscriptions/${l.subscriptionId}/providers/Microsoft.Compute/virtualMachines`,
        COMPUTE_API_VERSION,
        l.signal,
      ),
  },
  {
    kind: "containerapp",
    // Through @azure/arm-appcontainers (ContainerApps_ListBySubscription), in the shape the others have.
    list: async (l) => {
      const apps = await listContainerAppIdentities(l.arm, l.subscriptionId, l.signal);
      return apps.map((a) => ({
        id: a.id,
        identity: {
          userAssignedIdentities: Object.fromEntries(a.userAssignedIdentities.map((u) => [u, {}])),
        },
      }));
    },
  },
];

/** The resources in the subscription whose identity lists the user-assigned identity `id`. */
export async function findAttachments(
  arm: ArmClients,
  subscriptionId: string,
  id: string,
  signal?: AbortSignal,
): Promise<Attachment[]> {
  let sites: Promise<unknown[]> | undefined;
  const lookup: AttachmentLookup = {
    arm,
    subscriptionId,
    signal,
    sites: () => {
      sites ??= listAll(
        arm,
        subscriptionId,
        `/subscriptions/${subscriptionId}/providers/Microsoft.Web/sites`,
        WEB_API_VERSION,
        signal,
      );
      return sites;
    },
  };
  const out: Attachment[] = [];
  for (const source of ATTACHMENT_SOURCES) {
    for (const item of await source.list(lookup)) {
      const r = item as { id?: unknown; identity?: { userAssignedIdentities?: unknown } };
      const attached = r.identity?.userAssignedIdentities;
      if (typeof r.id !== "string" || attached === null || typeof attached !== "object") continue;
      if (Object.keys(attached).some((k) => sameId(k, id))) out.push({ kind: source.kind, id: r.id });
    }
  }
  return out;
}

export interface DeleteResult {
  id: string;
  name: string;
  resourceGroup: string;
  principalId: string | null;
  result: "deleted" | "unchanged" | "would-delete";
  /** False when there was no such identity (ARM's DELETE would answer 204; none is sent). */
  found: boolean;
  attachedTo: Attachment[];
  /** Role assignments of its principal, which ARM keeps after the identity is gone. */
  orphanedAssignments: Pick<IdentityAssignment, "id" | "roleName" | "scope">[];
}

/**
 * Deletes the identity. Refused (exit 2, nothing written) while a resource miauth can see lists it,
 * unless `force`; the role assignments its principal holds are reported either way (ARM keeps them).
 */
export async function deleteUami(
  arm: ArmClients,
  ref: UamiRef,
  o: { force?: boolean; dryRun?: boolean; signal?: AbortSignal },
): Promise<DeleteResult> {
  const u = await getUami(arm, ref, o.signal);
  if (!u) {
    return {
      id: uamiId(ref),
      name: ref.name,
      resourceGroup: ref.resourceGroup,
      principalId: null,
      result: "unchanged",
      found: false,
      attachedTo: [],
      orphanedAssignments: [],
    };
  }
  const attachedTo = await findAttachments(arm, ref.subscriptionId, u.id, o.signal);
  const assignments = (await assignmentsOf(arm, ref.subscriptionId, [u.principalId], o.signal)).map((a) => ({
    id: a.id,
    roleName: a.roleName,
    scope: a.scope,
  }));
  if (attachedTo.length > 0 && !o.force) {
    throw new UsageError(
      `user-assigned identity '${u.name}' is attached to ${attachedTo.map((a) => `${a.kind} ${a.id}`).join(", ")}: not deleted`,
      {
        hint: `detach it first (miauth disable … --user-assigned ${u.name}), or pass --force to delete it anyway${assignments.length ? `; these role assignments of its principal would be left behind: ${assignments.map((a) => `'${a.roleName}' at ${a.scope}`).join(", ")}` : ""}`,
      },
    );
  }
  const base = {
    id: u.id,
    name: u.name,
    resourceGroup: u.resourceGroup,
    principalId: u.principalId,
    found: true,
    attachedTo,
    orphanedAssignments: assignments,
  };
  if (o.dryRun) return { ...base, result: "would-delete" };
  const msi = await arm.msi(ref.subscriptionId);
  try {
    await msi.userAssignedIdentities.delete(ref.resourceGroup, ref.name, { abortSignal: o.signal });
  } catch (err) {
    throw translateAzureError(err, {
      what: `user-assigned identity '${ref.name}' in resource group '${ref.resourceGroup}'`,
    });
  }
  return { ...base, result: "deleted" };
}
