// The user-assigned identities of a subscription, read through ARM (no Microsoft Graph): what lets
// assign-role tell a client ID given as --assignee from the principal (object) ID ARM wants.
import type { PipelineResponse } from "@azure/core-rest-pipeline";
import { UsageError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import { loadPipeline, translateAzureError } from "./errors.js";
import { replyObject, unusable } from "./replies.js";

// UserAssignedIdentities_ListBySubscription, the version @azure/arm-msi 2.1 sends (a stable one).
const API_VERSION = "2023-01-31";
const MAX_PAGES = 1000;

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
  const { createPipelineRequest, RestError } = await loadPipeline();
  // The generic request goes through an SDK client's pipeline: same token, policies and retries.
  const client = await arm.authorization(subscriptionId);
  const base = new URL(arm.armEndpoint);
  let url: string | undefined =
    `${arm.armEndpoint.replace(/\/+$/, "")}/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=${API_VERSION}`;
  const out: UserAssignedIdentity[] = [];
  for (let pages = 0; url !== undefined; pages++) {
    let reply: PipelineResponse;
    try {
      reply = await client.sendRequest(createPipelineRequest({ url, method: "GET", abortSignal }));
    } catch (err) {
      throw translateAzureError(err);
    }
    if (reply.status < 200 || reply.status > 299) {
      let details: unknown;
      try {
        details = JSON.parse(reply.bodyAsText ?? "");
      } catch {
        details = undefined;
      }
      const error = (details as { error?: { code?: string; message?: string } } | undefined)?.error;
      const rest = new RestError(error?.message ?? `status ${reply.status}`, {
        code: error?.code,
        statusCode: reply.status,
        request: reply.request,
        response: reply,
      });
      rest.details = details;
      throw translateAzureError(rest);
    }
    const body = replyObject(reply);
    if (!Array.isArray(body.value)) unusable(reply, "it has no 'value' array");
    for (const item of body.value as unknown[]) out.push(readIdentity(item));
    const next = body.nextLink;
    if (next === undefined || next === null || next === "") url = undefined;
    else if (typeof next !== "string" || !sameOrigin(next, base) || pages >= MAX_PAGES)
      unusable(reply, "its 'nextLink' is not a further page on the same ARM endpoint");
    else url = next;
  }
  return out;
}

function sameOrigin(link: string, base: URL): boolean {
  try {
    return new URL(link).origin === base.origin;
  } catch {
    return false;
  }
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
