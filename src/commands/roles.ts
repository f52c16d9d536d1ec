import "./definition-kit.js";
import { Command } from "commander";
import { validateResourceGroupName } from "../azure/ids.js";
import { parseScope, resourceGroupScope, scopeSubscription, subscriptionScope } from "../azure/scope.js";
import { UsageError } from "../errors.js";
import type { Runner } from "./runner.js";
import { examples } from "./shared.js";
import { addTimeoutOption } from "./timeout.js";

interface RolesListOptions {
  resourceGroup?: string;
  scope?: string;
  name?: string;
  search?: string;
  customOnly?: boolean;
  builtinOnly?: boolean;
  dataAction?: string;
}

// `-o table` without --query shows what the guide's command shows.
const TABLE_QUERY = "sort_by([].{roleName:roleName, description:description}, &roleName)";

export function rolesCommand(run: Runner): Command {
  const roles = new Command("roles").description("Role definitions");
  addTimeoutOption(roles.command("list"), "2m")
    .description("List role definitions visible at a scope (the subscription by default)")
    .option("-g, --resource-group <group>", "list at this resource group")
    .option("--scope <scope>", "list at this scope")
    .option("--name <name|guid>", "exact role name (case-insensitive) or GUID")
    .option("--search <text>", "roles whose name or description contains the text")
    .option("--custom-only", "only custom roles")
    .option("--builtin-only", "only built-in roles")
    .option(
      "--data-action <action>",
      "roles whose dataActions grant this data action (wildcards and notDataActions honoured)",
    )
    .addHelpText(
      "after",
      examples([
        'miauth roles list --query "sort_by([].{roleName:roleName, description:description}, &roleName)" --output table',
        'miauth roles list --name "Storage Blob Data Contributor"',
        "miauth roles list --data-action Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write -o table",
      ]),
    )
    .action(
      run<RolesListOptions>(async (ctx, opts) => {
        if (opts.scope !== undefined && opts.resourceGroup !== undefined) {
          throw new UsageError("conflicting -g and --scope: give one scope");
        }
        if (opts.customOnly && opts.builtinOnly)
          throw new UsageError("--custom-only and --builtin-only exclude each other");
        const { checkRoleName, listRoles, filterRoles } = await import("./actions.js");
        const name = opts.name === undefined ? undefined : checkRoleName(opts.name, "--name");
        const fixed = opts.scope !== undefined ? parseScope(opts.scope) : undefined;
        if (opts.resourceGroup !== undefined) validateResourceGroupName(opts.resourceGroup);
        const subscriptionId = (fixed && scopeSubscription(fixed)) || (await ctx.subscriptionId());
        const scope =
          fixed ??
          (opts.resourceGroup
            ? resourceGroupScope(subscriptionId, opts.resourceGroup)
            : subscriptionScope(subscriptionId));
        const kinds = { customOnly: opts.customOnly, builtinOnly: opts.builtinOnly };
        // Listed before the --data-action filter, which needs every role's own dataActions (below).
        const listed = await listRoles(
          await ctx.arm(),
          scope,
          subscriptionId,
          { name, search: opts.search, ...kinds },
          ctx.signal,
        );
        const roles =
          opts.dataAction === undefined ? listed : filterRoles(listed, { dataAction: opts.dataAction });
        ctx.print(roles, { tableQuery: TABLE_QUERY });
        if (name === undefined && opts.dataAction === undefined) return;
        const { noMatchNotes } = await import("./actions.js");
        const notes = await noMatchNotes(ctx, {
          scope,
          subscriptionId,
          name,
          kinds,
          listed,
          dataAction: opts.dataAction,
        });
        for (const note of notes) ctx.warn(note);
      }),
    );
  return roles;
}
