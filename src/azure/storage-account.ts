// One storage account read through ARM (StorageAccounts_GetProperties), its reply checked to be that
// account before anything is built from it (an HTML or empty 200 is not an account).
import { MiauthError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import { translateAzureError } from "./errors.js";
import { checkResourceBody, type RawReply, unreadableReply } from "./replies.js";

export const STORAGE_ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts";

export interface StorageAccountReply {
  /** The ID miauth asked for (as built from the group and name). */
  id: string;
  body: Record<string, unknown>;
  reply: RawReply;
}

export async function readStorageAccount(
  arm: ArmClients,
  subscriptionId: string,
  resourceGroup: string,
  account: string,
  abortSignal?: AbortSignal,
): Promise<StorageAccountReply> {
  const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${STORAGE_ACCOUNT_TYPE}/${account}`;
  const seen: { reply?: RawReply } = {};
  try {
    await (await arm.storage(subscriptionId)).storageAccounts.getProperties(resourceGroup, account, {
      abortSignal,
      onResponse: (r: RawReply) => {
        seen.reply = r;
      },
    });
  } catch (err) {
    // The SDK throws on some 2xx bodies after onResponse saw them: those are judged below.
    const status = seen.reply?.status ?? 0;
    if (status < 200 || status > 299)
      throw (
        unreadableReply(err, `GET ${id}`) ??
        translateAzureError(err, {
          what: `storage account '${account}' in resource group '${resourceGroup}'`,
        })
      );
  }
  if (!seen.reply) throw new MiauthError(`no reply to GET ${id}`);
  return { id, body: checkResourceBody(seen.reply, { id, type: STORAGE_ACCOUNT_TYPE }), reply: seen.reply };
}
