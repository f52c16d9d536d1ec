// A target named with the wrong kind's flag: `--webapp msdocs-vm` says the name is a VM's. Looked up only
// after ARM said the resource is not there (no extra request on success); a web app given as a function
// app (or the reverse) is read all the same, and only worth a warning.
import { NotFoundError } from "../errors.js";
import type { ArmClients } from "./clients.js";
import type { Target } from "./target.js";

const KIND_TEXT = {
  webapp: "web app",
  functionapp: "function app",
  vm: "virtual machine",
  containerapp: "container app",
} as const;

/** A site's kind from ARM's `kind` ("app,linux", "functionapp,linux", …). */
function siteKind(kind: string | undefined): "webapp" | "functionapp" {
  return /functionapp/i.test(kind ?? "") ? "functionapp" : "webapp";
}

/**
 * After a 404 for a target named by flag: the same name among the other kinds in that group, as a
 * not-found error that says which flag to use; the original error when there is none (or the lookup fails).
 */
export async function wrongKindError(
  arm: ArmClients,
  target: Target,
  subscriptionId: string,
  original: unknown,
  abortSignal?: AbortSignal,
): Promise<unknown> {
  // A missing group (or subscription) says so itself; a --ids target names its type; a missing slot is
  // a slot of a site that exists (its flags named a site), not another kind of resource.
  if (!(original instanceof NotFoundError) || target.fromId || target.slot !== undefined) return original;
  // Container apps have no look-alike among the other kinds worth a request.
  if (target.kind === "containerapp") return original;
  if (original.azureCode === "ResourceGroupNotFound" || original.azureCode === "SubscriptionNotFound")
    return original;
  let actual: keyof typeof KIND_TEXT | undefined;
  try {
    if (target.kind === "vm") {
      const site = await (await arm.web(subscriptionId)).webApps.get(target.resourceGroup, target.name, {
        abortSignal,
      });
      if (typeof site?.id === "string" && /\/providers\/Microsoft\.Web\/sites\/[^/]+$/i.test(site.id))
        actual = siteKind(site.kind);
    } else {
      const vm = await (await arm.compute(subscriptionId)).virtualMachines.get(
        target.resourceGroup,
        target.name,
        { abortSignal },
      );
      if (
        typeof vm?.id === "string" &&
        /\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i.test(vm.id)
      )
        actual = "vm";
    }
  } catch {
    return original;
  }
  if (!actual) return original;
  return new NotFoundError(
    `${target.name} is a ${KIND_TEXT[actual]} in ${target.resourceGroup}; use --${actual}`,
    {
      azureCode: original.azureCode,
      cause: original,
      hint: `name it with --${actual} ${target.name} -g ${target.resourceGroup}`,
    },
  );
}

/** A warning when a site named as a web app is a function app, or the reverse; the command goes on. */
export function kindWarning(target: Target, kind: string): string | undefined {
  if (target.kind === "vm" || target.kind === "containerapp" || target.fromId) return undefined;
  const actual = siteKind(kind);
  if (actual === target.kind) return undefined;
  return `${target.name} is a ${KIND_TEXT[actual]}, not a ${KIND_TEXT[target.kind]} (its kind is '${kind}'): going on; use --${actual} next time`;
}
