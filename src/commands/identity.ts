// `miauth identity …`: user-assigned managed identities themselves. Each subcommand is one factory in
// IDENTITY_SUBCOMMANDS; another subcommand (in its own file) is registered by adding its factory there.
import "./definition-kit.js";
import { Command } from "commander";
import {
  parseResourceId,
  parseUserAssignedId,
  validateResourceGroupName,
  validateUserAssignedName,
} from "../azure/ids.js";
import type { UamiRef } from "../azure/uami.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { addFederateCommand } from "./identity-federate.js";
import type { Runner } from "./runner.js";
import { examples } from "./shared.js";
import { addTimeoutOption } from "./timeout.js";

interface RawRefOptions {
  resourceGroup?: string;
  ids?: string;
}

const RG = "msdocs-sdk-auth-example";

/** NAME with -g, or --ids ID: parsed before any request. */
export async function identityRef(
  ctx: Context,
  name: string | undefined,
  raw: RawRefOptions,
): Promise<UamiRef> {
  if (raw.ids !== undefined) {
    if (name !== undefined || raw.resourceGroup !== undefined)
      throw new UsageError("give either NAME with -g or --ids, not both");
    const id = parseResourceId(parseUserAssignedId(raw.ids), "--ids");
    return { subscriptionId: id.subscriptionId, resourceGroup: id.resourceGroup, name: id.name };
  }
  if (name === undefined) throw new UsageError("give the identity's NAME with -g, or --ids ID");
  if (!validateUserAssignedName(name))
    throw new UsageError(
      `invalid identity name '${name}': 3-128 letters, digits, '-' or '_', starting with a letter or digit`,
    );
  if (raw.resourceGroup === undefined) throw new UsageError("-g/--resource-group is required with NAME");
  const resourceGroup = validateResourceGroupName(raw.resourceGroup);
  return { subscriptionId: await ctx.subscriptionId(), resourceGroup, name };
}

function createCommand(run: Runner): Command {
  return addTimeoutOption(new Command("create"), "2m")
    .description(
      "Create a user-assigned managed identity; does nothing if it is already there (same location)",
    )
    .argument("<name>", "the identity's name")
    .option("-g, --resource-group <group>", "its resource group")
    .option("--location <location>", "its region (default: the resource group's)")
    .option("--dry-run", "show what would be created, write nothing")
    .addHelpText("after", examples([`miauth identity create msdocs-shared -g ${RG}`]))
    .action((name: string, opts: object, cmd: Command) =>
      run<{ resourceGroup?: string; location?: string; dryRun?: boolean }>(async (ctx, raw) => {
        if (raw.location !== undefined && !/^[A-Za-z0-9 ]{1,64}$/.test(raw.location))
          throw new UsageError(`invalid --location '${raw.location}': a region name such as eastus`);
        const ref = await identityRef(ctx, name, { resourceGroup: raw.resourceGroup });
        const { createUami } = await import("./actions.js");
        const made = await createUami(await ctx.arm(), ref, {
          location: raw.location,
          dryRun: raw.dryRun === true,
          signal: ctx.signal,
        });
        const { id, principalId, clientId, tenantId, location, result } = made;
        ctx.print({ id, name: made.name, principalId, clientId, tenantId, location, result });
      })(opts as never, cmd),
    );
}

function showCommand(run: Runner): Command {
  return addTimeoutOption(new Command("show"), "2m")
    .description("Show a user-assigned managed identity: its IDs, and where it is attached")
    .argument("[name]", "the identity's name (with -g)")
    .option("-g, --resource-group <group>", "its resource group")
    .option("--ids <id>", "its full resource ID (instead of NAME and -g)")
    .addHelpText(
      "after",
      examples([
        `miauth identity show msdocs-uami -g ${RG}`,
        "miauth identity show --ids /subscriptions/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/msdocs-uami",
      ]),
    )
    .action((name: string | undefined, opts: object, cmd: Command) =>
      run<RawRefOptions>(async (ctx, raw) => {
        const ref = await identityRef(ctx, name, raw);
        const { requireUami, findAttachments } = await import("./actions.js");
        const arm = await ctx.arm();
        const u = await requireUami(arm, ref, ctx.signal);
        const attachedTo = await findAttachments(arm, ref.subscriptionId, u.id, ctx.signal);
        ctx.print({ ...u, attachedTo });
      })(opts as never, cmd),
    );
}

function listCommand(run: Runner): Command {
  return addTimeoutOption(new Command("list"), "2m")
    .description("List the user-assigned managed identities of the subscription (or of a resource group)")
    .option("-g, --resource-group <group>", "only this resource group's")
    .addHelpText("after", examples(["miauth identity list -o table", `miauth identity list -g ${RG}`]))
    .action(
      run<{ resourceGroup?: string }>(async (ctx, raw) => {
        const group =
          raw.resourceGroup === undefined ? undefined : validateResourceGroupName(raw.resourceGroup);
        const { listUamis } = await import("./actions.js");
        const sub = await ctx.subscriptionId();
        ctx.print(await listUamis(await ctx.arm(), sub, group, ctx.signal), {
          tableQuery:
            "[].{name:name, resourceGroup:resourceGroup, location:location, clientId:clientId, principalId:principalId}",
        });
      }),
    );
}

function deleteCommand(run: Runner): Command {
  return addTimeoutOption(new Command("delete"), "2m")
    .description(
      "Delete a user-assigned managed identity; refused while a web app, slot or VM uses it (unless --force)",
    )
    .argument("[name]", "the identity's name (with -g)")
    .option("-g, --resource-group <group>", "its resource group")
    .option("--ids <id>", "its full resource ID (instead of NAME and -g)")
    .option("--force", "delete even while it is attached")
    .option("--dry-run", "show what would be deleted, write nothing")
    .addHelpText("after", examples([`miauth identity delete msdocs-shared -g ${RG}`]))
    .action((name: string | undefined, opts: object, cmd: Command) =>
      run<RawRefOptions & { force?: boolean; dryRun?: boolean }>(async (ctx, raw) => {
        const ref = await identityRef(ctx, name, raw);
        const { deleteUami } = await import("./actions.js");
        const result = await deleteUami(await ctx.arm(), ref, {
          force: raw.force === true,
          dryRun: raw.dryRun === true,
          signal: ctx.signal,
        });
        if (!result.found) ctx.warn(`user-assigned identity '${ref.name}' was not found: nothing to delete`);
        for (const a of result.attachedTo) ctx.warn(`still attached to ${a.kind} ${a.id} (--force)`);
        for (const a of result.orphanedAssignments)
          ctx.warn(
            `role assignment '${a.roleName}' at ${a.scope} ${result.result === "deleted" ? "is left" : "would be left"} without its principal (${a.id})`,
          );
        ctx.print(result);
      })(opts as never, cmd),
    );
}

/** The `identity` subcommands, in help order. Add a factory here to add a subcommand. */
export const IDENTITY_SUBCOMMANDS: ((run: Runner) => Command)[] = [
  createCommand,
  showCommand,
  listCommand,
  deleteCommand,
];

export function identityCommand(run: Runner): Command {
  const group = new Command("identity")
    .description("User-assigned managed identities")
    .addHelpText(
      "after",
      examples([
        `miauth identity create msdocs-shared -g ${RG}`,
        `miauth enable --webapp msdocs-web -g ${RG} --user-assigned msdocs-shared --no-system-assigned`,
        `miauth assign-role --identity msdocs-shared --identity-resource-group ${RG} --role "Storage Blob Data Reader" --storage-account msdocsstorage`,
        `miauth identity delete msdocs-shared -g ${RG}`,
      ]),
    );
  for (const make of IDENTITY_SUBCOMMANDS) group.addCommand(make(run));
  // identity federate: GitHub Actions workload identity federation (its own file).
  addFederateCommand(group, run);
  return group;
}
