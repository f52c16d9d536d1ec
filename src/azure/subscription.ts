// Which subscription a command works in: --subscription, AZURE_SUBSCRIPTION_ID, the Azure CLI's
// default, or the only one the credential can see — in that order.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { NotFoundError, UsageError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import { translateAzureError } from "./errors.js";
import { isGuid, parseGuid } from "./ids.js";
import { checkEveryPage, unreadableReply } from "./replies.js";

export interface SubscriptionChoice {
  id: string;
  source: "--subscription" | "AZURE_SUBSCRIPTION_ID" | "Azure CLI profile" | "only subscription";
}

/** The part that needs no network: a GUID flag or variable, or the Azure CLI profile. */
export async function subscriptionFromLocal(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  cloudName = "AzureCloud",
): Promise<SubscriptionChoice | { name: string } | undefined> {
  if (flag !== undefined) {
    if (flag.trim() === "") throw new UsageError("--subscription is empty");
    return isGuid(flag) ? { id: flag.toLowerCase(), source: "--subscription" } : { name: flag };
  }
  const fromEnv = env.AZURE_SUBSCRIPTION_ID;
  if (fromEnv) return { id: parseGuid(fromEnv, "AZURE_SUBSCRIPTION_ID"), source: "AZURE_SUBSCRIPTION_ID" };
  const fromCli = await azureCliDefault(env, cloudName);
  return fromCli ? { id: fromCli, source: "Azure CLI profile" } : undefined;
}

async function azureCliDefault(env: NodeJS.ProcessEnv, cloudName: string): Promise<string | undefined> {
  const dir = env.AZURE_CONFIG_DIR || join(env.HOME || homedir(), ".azure");
  let text: string;
  try {
    text = await readFile(join(dir, "azureProfile.json"), "utf8");
  } catch {
    return undefined;
  }
  try {
    // The Azure CLI writes this file with a UTF-8 byte order mark.
    const profile = JSON.parse(text.replace(/^\uFEFF/, "")) as {
      subscriptions?: { id?: string; isDefault?: boolean; environmentName?: string }[];
    };
    // The profile can hold a default per cloud; take the one of the cloud we talk to.
    const id = profile.subscriptions?.find(
      (s) => s.isDefault && (s.environmentName ?? "AzureCloud").toLowerCase() === cloudName.toLowerCase(),
    )?.id;
    return id && isGuid(id) ? id.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

export interface SubscriptionInfo {
  id: string;
  name: string;
}

export async function listSubscriptions(
  arm: ArmClients,
  abortSignal?: AbortSignal,
): Promise<SubscriptionInfo[]> {
  const out: SubscriptionInfo[] = [];
  try {
    // Each page is checked: an HTML or empty 200 would otherwise read as "no subscription".
    const pages = (await arm.subscriptions()).subscriptions.list({ abortSignal, onResponse: checkEveryPage });
    for await (const s of pages) {
      if (s.subscriptionId) out.push({ id: s.subscriptionId.toLowerCase(), name: s.displayName ?? "" });
    }
  } catch (err) {
    throw unreadableReply(err, "GET /subscriptions") ?? translateAzureError(err);
  }
  return out;
}

function listing(subs: SubscriptionInfo[]): string {
  return subs.map((s) => `${s.name} (${s.id})`).join(", ");
}

/** Resolves a subscription name, or picks the only visible subscription. */
export async function subscriptionFromArm(
  arm: ArmClients,
  name: string | undefined,
  abortSignal?: AbortSignal,
): Promise<SubscriptionChoice> {
  return pickSubscription(await listSubscriptions(arm, abortSignal), name);
}

/** The subscription named `name` among those visible, or the only one visible. */
export function pickSubscription(subs: SubscriptionInfo[], name: string | undefined): SubscriptionChoice {
  if (name !== undefined) {
    const matches = subs.filter((s) => s.name.toLowerCase() === name.toLowerCase());
    if (matches.length === 1 && matches[0]) return { id: matches[0].id, source: "--subscription" };
    if (matches.length > 1) {
      throw new UsageError(`subscription name '${name}' is ambiguous: ${listing(matches)}`, {
        hint: "pass --subscription with the subscription ID",
      });
    }
    throw new NotFoundError(`no subscription named '${name}' is visible to the credential`, {
      hint: subs.length > 0 ? `visible: ${listing(subs)}` : "the credential can see no subscription",
    });
  }
  if (subs.length === 1 && subs[0]) return { id: subs[0].id, source: "only subscription" };
  if (subs.length === 0) {
    throw new NotFoundError("the credential can see no subscription", {
      hint: "check that the identity has a role on a subscription, or pass --subscription",
    });
  }
  throw new UsageError(
    `more than one subscription is visible; choose one with --subscription: ${listing(subs)}`,
    {
      hint: "or set AZURE_SUBSCRIPTION_ID, or make one the az default (az account set --subscription with its ID)",
    },
  );
}
