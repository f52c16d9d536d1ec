// A storage account (or one of its blob containers) named by the user, as a role assignment scope: found
// through ARM, so that no one builds a storage resource ID by hand (assign-role --storage-account).
import { MiauthError, NotFoundError, PermissionError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import { translateAzureError } from "./errors.js";
import { parseResourceId } from "./ids.js";
import { checkEveryPage, checkResourceBody, type RawReply, unreadableReply } from "./replies.js";
import { readStorageAccount, STORAGE_ACCOUNT_TYPE } from "./storage-account.js";

export interface StorageRef {
  account: string;
  /** The account's resource group when the user gave it; else the subscription's accounts are listed. */
  resourceGroup?: string;
  container?: string;
}

export interface StorageScope {
  /** The account's ID, or its container's (`…/blobServices/default/containers/{name}`). */
  scope: string;
  accountId: string;
  resourceGroup: string;
  /** Set when the container could not be checked (ARM refused to show it): the scope is used as given. */
  unchecked?: string;
}

const ACCOUNT_TYPE = STORAGE_ACCOUNT_TYPE;
const CONTAINER_TYPE = "Microsoft.Storage/storageAccounts/blobServices/containers";

/** The account's ID from ARM's reply, parsed and rebuilt; only its own name is accepted. */
function accountIdOf(value: unknown, account: string): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const id = parseResourceId(value);
    if (`${id.provider}/${id.type}`.toLowerCase() !== ACCOUNT_TYPE.toLowerCase()) return undefined;
    if (id.name.toLowerCase() !== account) return undefined;
    return `/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroup}/providers/${ACCOUNT_TYPE}/${id.name}`;
  } catch {
    return undefined;
  }
}

export async function resolveStorageScope(
  arm: ArmClients,
  subscriptionId: string,
  ref: StorageRef,
  abortSignal?: AbortSignal,
): Promise<StorageScope> {
  const storage = await arm.storage(subscriptionId);
  let accountId: string;
  if (ref.resourceGroup !== undefined) {
    const { id, body } = await readStorageAccount(
      arm,
      subscriptionId,
      ref.resourceGroup,
      ref.account,
      abortSignal,
    );
    accountId = accountIdOf(body.id, ref.account) ?? id;
  } else {
    // Account names are global in Azure: one list of the subscription's accounts finds its group.
    let found: string | undefined;
    try {
      for await (const a of storage.storageAccounts.list({ abortSignal, onResponse: checkEveryPage })) {
        found = accountIdOf(a.id, ref.account);
        if (found) break;
      }
    } catch (err) {
      throw (
        unreadableReply(err, `GET /subscriptions/${subscriptionId}/providers/${ACCOUNT_TYPE}`) ??
        translateAzureError(err)
      );
    }
    if (!found) {
      throw new NotFoundError(
        `storage account '${ref.account}' was not found in subscription ${subscriptionId}`,
        {
          hint: "check the name and the subscription (--subscription); with --storage-resource-group the account's group is read directly",
        },
      );
    }
    accountId = found;
  }
  const resourceGroup = parseResourceId(accountId).resourceGroup;
  if (ref.container === undefined) return { scope: accountId, accountId, resourceGroup };
  const scope = `${accountId}/blobServices/default/containers/${ref.container}`;
  const unchecked = await checkContainer(arm, subscriptionId, resourceGroup, ref, scope, abortSignal);
  return unchecked === undefined
    ? { scope, accountId, resourceGroup }
    : { scope, accountId, resourceGroup, unchecked };
}

/**
 * The container must exist (ARM's blobContainers get): a missing one is not found (3), naming the
 * containers ARM lists. Returns why it was not checked when ARM refuses to show containers.
 */
async function checkContainer(
  arm: ArmClients,
  subscriptionId: string,
  resourceGroup: string,
  ref: StorageRef,
  scope: string,
  abortSignal?: AbortSignal,
): Promise<string | undefined> {
  const storage = await arm.storage(subscriptionId);
  const container = ref.container ?? "";
  const seen: { reply?: RawReply } = {};
  try {
    await storage.blobContainers.get(resourceGroup, ref.account, container, {
      abortSignal,
      onResponse: (r: RawReply) => {
        seen.reply = r;
      },
    });
  } catch (err) {
    const status = seen.reply?.status ?? 0;
    if (status < 200 || status > 299) {
      const e = unreadableReply(err, `GET ${scope}`) ?? translateAzureError(err);
      if (e instanceof PermissionError) return e.azureCode ?? "permission denied";
      if (!(e instanceof NotFoundError)) throw e;
      const names = await containerNames(arm, subscriptionId, resourceGroup, ref.account, abortSignal);
      throw new NotFoundError(
        `container '${container}' was not found in storage account '${ref.account}'${names === undefined ? "" : names.length === 0 ? " (it has no containers)" : `; its containers: ${names.join(", ")}`}`,
        { azureCode: e.azureCode, cause: err, hint: "check --container" },
      );
    }
  }
  if (!seen.reply) throw new MiauthError(`no reply to GET ${scope}`);
  checkResourceBody(seen.reply, { id: scope, type: CONTAINER_TYPE });
  return undefined;
}

/** The account's container names as ARM lists them; undefined when it refuses to (the error says why). */
async function containerNames(
  arm: ArmClients,
  subscriptionId: string,
  resourceGroup: string,
  account: string,
  abortSignal?: AbortSignal,
): Promise<string[] | undefined> {
  const storage = await arm.storage(subscriptionId);
  const names: string[] = [];
  try {
    for await (const c of storage.blobContainers.list(resourceGroup, account, {
      abortSignal,
      onResponse: checkEveryPage,
    })) {
      if (typeof c.name === "string") names.push(c.name);
    }
  } catch {
    return undefined;
  }
  return names;
}
