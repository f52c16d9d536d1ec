// The user-assigned identities of a subscription, read through ARM (no Microsoft Graph): what lets
// assign-role tell a client ID given as --assignee from the principal (object) ID ARM wants.
import { UsageError } from "../errors.js";
import { listAll } from "./arm-list.js";
import type { ArmClients } from "./clients.js";

// UserAssignedIdentities_ListBySubscription, the version @azure/arm-msi 2.1 sends (a stable one).
const API_VERSION = "2023-01-31";

export interface UserAssignedIdentity {
  name: string;
  resourceGroup: string;
  id: string;
  principalId: string;
  clientId: string;
}

/** Every page of GET /subscriptions/{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities. */
export async function listUserAssignedIdentities(
  arm: ArmClients,
  subscriptionId: string,
  abortSignal?: AbortSignal,
): Promise<UserAssignedIdentity[]> {
  const items = await listAll(
    arm,
    subscriptionId,
    `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`,
    API_VERSION,
    abortSignal,
  );
  return items.map(readIdentity);
}

function readIdentity(item: unknown): UserAssignedIdentity {
  const i = (item ?? {}) as { id?: unknown; name?: unknown; properties?: Record<string, unknown> };
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const id = str(i.id);
  return {
    id,
    name: str(i.name),
    resourceGroup: /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1] ?? "",
    principalId: str(i.properties?.principalId).toLowerCase(),
    clientId: str(i.properties?.clientId).toLowerCase(),
  };
}

/** A usage error for the first assignee that is a user-assigned identity's client ID, if any. */
export function clientIdMistake(
  assignees: string[],
  identities: UserAssignedIdentity[],
): UsageError | undefined {
  for (const guid of assignees) {
    const u = identities.find((x) => x.clientId !== "" && x.clientId === guid.toLowerCase());
    if (u) {
      return new UsageError(
        `'${guid}' is the client ID of user-assigned identity '${u.name}' (resource group '${u.resourceGroup}'); its principal (object) ID is ${u.principalId}: pass that to --assignee`,
        { hint: "role assignments name the principal (object) ID; nothing was assigned" },
      );
    }
  }
  return undefined;
}
