// A target is the resource whose identity a command works on: a web app, a function app, a VM or a
// container app.
import { UsageError } from "../errors.js";
import {
  formatResourceId,
  parseResourceId,
  pathSegments,
  validateContainerAppName,
  validateResourceGroupName,
  validateSiteName,
  validateSlotName,
  validateVmName,
} from "./ids.js";

const TARGET_KINDS = ["webapp", "functionapp", "vm", "containerapp"] as const;

export type TargetKind = (typeof TARGET_KINDS)[number];

export interface Target {
  kind: TargetKind;
  /** Undefined when the subscription comes from --subscription / the environment (resolved later). */
  subscriptionId?: string;
  resourceGroup: string;
  name: string;
  /** A deployment slot of the site (`…/sites/{name}/slots/{slot}`), with its own identity. */
  slot?: string;
  /** True when the kind came from --ids: a Microsoft.Web/sites ID may be a web app or a function app. */
  fromId: boolean;
}

export interface RawTargetOptions {
  webapp?: string;
  functionapp?: string;
  vm?: string;
  containerapp?: string;
  resourceGroup?: string;
  ids?: string[];
  slot?: string;
}

const NAME_FLAGS = TARGET_KINDS.map((k) => `--${k}`);

/** The flags that name a target, as messages list them. */
export const TARGET_FLAGS = {
  /** "--webapp, --functionapp, --vm (with -g) or --ids" */
  prose: `${NAME_FLAGS.join(", ")} (with -g) or --ids`,
  /** "--webapp/--functionapp/--vm/--ids" */
  short: [...NAME_FLAGS, "--ids"].join("/"),
  /** "--webapp/--functionapp/--vm NAME -g RG / --ids ID" */
  usage: `${NAME_FLAGS.join("/")} NAME -g RG / --ids ID`,
} as const;

/** Whether any target flag was given; parseTargets says whether they name exactly one valid target. */
export function hasTarget(raw: RawTargetOptions): boolean {
  checkSlotFlag(raw);
  return TARGET_KINDS.some((k) => raw[k] !== undefined) || (raw.ids ?? []).length > 0;
}

/** --slot belongs to a site named by --webapp or --functionapp: a slot ID names its slot itself. */
function checkSlotFlag(raw: RawTargetOptions): void {
  if (raw.slot === undefined) return;
  if (raw.vm !== undefined) throw new UsageError("--slot is for web apps and function apps, not --vm");
  if (raw.containerapp !== undefined)
    throw new UsageError("--slot is for web apps and function apps, not --containerapp");
  if ((raw.ids ?? []).length > 0)
    throw new UsageError(
      "--slot cannot be combined with --ids: give the slot's ID (…/providers/Microsoft.Web/sites/{app}/slots/{slot})",
    );
  if (raw.webapp === undefined && raw.functionapp === undefined)
    throw new UsageError("--slot needs the app: --webapp NAME or --functionapp NAME (with -g)");
}

export function parseTargets(raw: RawTargetOptions): Target[] {
  checkSlotFlag(raw);
  const named = TARGET_KINDS.filter((k) => raw[k] !== undefined);
  const ids = raw.ids ?? [];
  if (named.length + (ids.length > 0 ? 1 : 0) === 0) {
    throw new UsageError(`no target given: use ${TARGET_FLAGS.prose}`);
  }
  if (named.length > 1 || (named.length === 1 && ids.length > 0)) {
    const given = [...named.map((k) => `--${k}`), ...(ids.length > 0 ? ["--ids"] : [])];
    throw new UsageError(
      `conflicting targets ${given.join(" and ")}: give exactly one of ${TARGET_FLAGS.prose}`,
    );
  }
  const kind = named[0];
  if (kind !== undefined) {
    const name = raw[kind] ?? "";
    if (raw.resourceGroup === undefined) throw new UsageError(`--${kind} needs -g/--resource-group`);
    const resourceGroup = validateResourceGroupName(raw.resourceGroup);
    if (kind === "vm") validateVmName(name);
    else if (kind === "containerapp") validateContainerAppName(name);
    else validateSiteName(name, `--${kind}`);
    if (raw.slot !== undefined) {
      return [{ kind, resourceGroup, name, slot: validateSlotName(raw.slot, "--slot"), fromId: false }];
    }
    return [{ kind, resourceGroup, name, fromId: false }];
  }
  if (raw.resourceGroup !== undefined) {
    throw new UsageError("-g/--resource-group cannot be combined with --ids: the ID names the group");
  }
  return ids.map(parseTargetId);
}

export function parseTargetId(value: string): Target {
  const slot = parseSlotId(value);
  if (slot) return slot;
  const id = parseResourceId(value, "--ids");
  const type = `${id.provider}/${id.type}`.toLowerCase();
  if (type === "microsoft.web/sites") {
    validateSiteName(id.name, "site");
    return {
      kind: "webapp",
      subscriptionId: id.subscriptionId,
      resourceGroup: id.resourceGroup,
      name: id.name,
      fromId: true,
    };
  }
  if (type === "microsoft.compute/virtualmachines") {
    validateVmName(id.name);
    return {
      kind: "vm",
      subscriptionId: id.subscriptionId,
      resourceGroup: id.resourceGroup,
      name: id.name,
      fromId: true,
    };
  }
  if (type === "microsoft.app/containerapps") {
    validateContainerAppName(id.name, "container app");
    return {
      kind: "containerapp",
      subscriptionId: id.subscriptionId,
      resourceGroup: id.resourceGroup,
      name: id.name,
      fromId: true,
    };
  }
  throw new UsageError(
    `unsupported resource type '${id.provider}/${id.type}' in --ids: expected Microsoft.Web/sites, Microsoft.Compute/virtualMachines or Microsoft.App/containerApps`,
  );
}

/**
 * `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Web/sites/{app}/slots/{slot}` (segment names
 * case-insensitive, as ARM reads them), rebuilt from its checked parts; undefined for any other ID.
 */
function parseSlotId(value: string): Target | undefined {
  let parts: string[];
  try {
    parts = pathSegments(value, (why) => new UsageError(why));
  } catch {
    return undefined; // parseResourceId says what is wrong with it
  }
  if (parts.length !== 10 || parts[8]?.toLowerCase() !== "slots") return undefined;
  const id = parseResourceId(`/${parts.slice(0, 8).join("/")}`, "--ids");
  if (`${id.provider}/${id.type}`.toLowerCase() !== "microsoft.web/sites") {
    throw new UsageError(
      `unsupported resource type '${id.provider}/${id.type}/slots' in --ids: expected Microsoft.Web/sites/slots`,
    );
  }
  validateSiteName(id.name, "site");
  return {
    kind: "webapp",
    subscriptionId: id.subscriptionId,
    resourceGroup: id.resourceGroup,
    name: id.name,
    slot: validateSlotName(parts[9] ?? "", "slot"),
    fromId: true,
  };
}

/** Whether a target is a site (web app, function app, or one of their slots). */
export function isSite(target: Target): boolean {
  return target.kind === "webapp" || target.kind === "functionapp";
}

export function targetResourceId(target: Target, subscriptionId: string): string {
  if (target.kind === "containerapp") {
    return formatResourceId({
      subscriptionId: target.subscriptionId ?? subscriptionId,
      resourceGroup: target.resourceGroup,
      provider: "Microsoft.App",
      type: "containerApps",
      name: target.name,
    });
  }
  const site = target.kind !== "vm";
  const id = formatResourceId({
    subscriptionId: target.subscriptionId ?? subscriptionId,
    resourceGroup: target.resourceGroup,
    provider: site ? "Microsoft.Web" : "Microsoft.Compute",
    type: site ? "sites" : "virtualMachines",
    name: target.name,
  });
  return site && target.slot !== undefined ? `${id}/slots/${target.slot}` : id;
}

/** The flags that name this target again, for a command to suggest: `--webapp app -g rg` or `--ids ID`. */
export function targetFlags(target: Target, resourceId: string): string {
  if (target.fromId) return `--ids ${resourceId}`;
  const slot = target.slot === undefined ? "" : ` --slot ${target.slot}`;
  return `--${target.kind} ${target.name} -g ${target.resourceGroup}${slot}`;
}

export function describeTarget(target: Target): string {
  // A site given by --ids may be a web app or a function app: say "site" rather than guess.
  const what =
    target.kind === "vm"
      ? "VM"
      : target.kind === "containerapp"
        ? "container app"
        : target.fromId
          ? "site"
          : target.kind === "functionapp"
            ? "function app"
            : "web app";
  const slot = target.slot === undefined ? "" : `slot '${target.slot}' of `;
  return `${slot}${what} '${target.name}' in resource group '${target.resourceGroup}'`;
}
